from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api.services import create_integration

# The ticket fixtures (a ticket with a file, media in a temporary directory,
# SLA targets and the shipped calendar).
from tests.tickets.conftest import (  # noqa: F401
    _media_in_tmp,
    shipped_calendar,
    sla_targets,
    ticket,
)
from webhooks.models import ORGANISATION_EVENT_TYPES, Endpoint, EventType


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks verification, written from the specification alone
    (not with the code under test): any `v1,` signature that matches."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for signature in headers["webhook-signature"].split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return True
    return False


class Receiver:
    """A webhook receiver on 127.0.0.1 in a thread: keeps every request, and
    answers what `answer(message_id)` says (200 by default)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answer: Callable[[str], int] = lambda _id: 200
        self.hold: Callable[[str], threading.Event | None] = lambda _id: None
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                message_id = headers.get("webhook-id", "")
                status = receiver.answer(message_id)
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": headers,
                            "body": body,
                            "status": status,
                        }
                    )
                held = receiver.hold(message_id)
                if held is not None:
                    held.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        """The JSON bodies of the requests answered 2xx, once per webhook-id."""
        seen: dict[str, dict] = {}
        with self.lock:
            for request in self.requests:
                message_id = request["headers"]["webhook-id"]
                if 200 <= request["status"] < 300 and message_id not in seen:
                    seen[message_id] = json.loads(request["body"])
        return list(seen.values())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def allow_private(settings) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def organisation_integration(customer, organisation):
    return create_integration(
        "Мониторинг", user=customer, organisation_id=organisation.pk
    )


@pytest.fixture
def staff_integration(agent):
    return create_integration("CRM", user=agent, organisation_id=None)


def endpoint_for(integration, url: str, types: list[str] | None = None) -> Endpoint:
    """Straight into the table: the address checks have tests of their own."""
    return Endpoint.objects.create(
        integration=integration,
        url=url,
        event_types=types
        if types is not None
        else (
            list(EventType.values)
            if integration.organisation_id is None
            else ORGANISATION_EVENT_TYPES
        ),
    )
