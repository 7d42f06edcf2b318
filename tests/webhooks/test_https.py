"""An https endpoint: the send connects to the checked address and verifies
the certificate against the URL's host name (not the address)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.requirements import require
from tests.webhooks.conftest import endpoint_for
from webhooks.delivery import deliver
from webhooks.models import Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_private")]


def _certificate(directory: Path, host: str) -> tuple[Path, Path]:
    require(shutil.which("openssl") is not None, "openssl is not installed")
    cert, key = directory / f"{host}.pem", directory / f"{host}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={host}",
            "-addext",
            f"subjectAltName=DNS:{host}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path, list[str]]]:
    """An https server on 127.0.0.1 with a certificate for hooks.example."""
    cert, key = _certificate(tmp_path, "hooks.example")
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_port, cert, hosts
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooks_example_is_loopback(monkeypatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "hooks.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        # The connection itself is made to the checked address.
        assert host == "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_certificate_for_the_host_is_accepted(
    tls_server, hooks_example_is_loopback, monkeypatch, organisation_integration
) -> None:
    port, cert, hosts = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own CA
    endpoint = endpoint_for(
        organisation_integration, f"https://hooks.example:{port}/in"
    )
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_type="ticket.created", payload={}
    )

    assert deliver(delivery.pk) is True
    assert hosts == [f"hooks.example:{port}"]


def test_an_untrusted_certificate_fails_the_attempt(
    tls_server, hooks_example_is_loopback, organisation_integration
) -> None:
    port, _cert, hosts = tls_server
    endpoint = endpoint_for(
        organisation_integration, f"https://hooks.example:{port}/in"
    )
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_type="ticket.created", payload={}
    )

    assert deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert "certificate" in delivery.last_error.lower()
    assert hosts == []
