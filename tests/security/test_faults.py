"""Nothing is lost when a service fails: real processes, stopped and started by the test.

Each test runs a Redis server of its own on a free port, so stopping it touches
nothing else on the machine.
"""

from __future__ import annotations

import datetime
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils.timezone import now

from helpdesk.celery import app as celery_app
from tests.brokers import celery_broker
from tests.requirements import require
from tickets.models import OutgoingEmail, Ticket
from tickets.tasks import send_unsent_email

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    redis = PrivateRedis(_free_port(), tmp_path)
    yield redis
    redis.stop()


def _wait_for(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_filing_while_redis_is_down_succeeds_and_mails_once_when_it_is_back(
    client, customer, active_licence, private_redis, mailoutbox
) -> None:
    client.force_login(customer)
    with celery_broker(private_redis.url):  # the broker is configured but not running
        response = client.post(
            "/tickets/new/",
            {
                "licence": active_licence.pk,
                "subject": "Во время сбоя Redis",
                "description": "Текст",
                "category": "other",
                "priority": "normal",
                "contact_email": customer.email,
            },
        )

        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response["Location"] == ticket.get_absolute_url()
        assert mailoutbox == []
        unsent = OutgoingEmail.objects.get(ticket=ticket, sent_at=None)

        private_redis.start()
        # Time passes: the sweeper leaves brand-new rows to their own task.
        OutgoingEmail.objects.filter(pk=unsent.pk).update(
            created_at=now() - datetime.timedelta(minutes=5)
        )
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
        ):
            send_unsent_email.delay()
            _wait_for(lambda: len(mail.outbox) >= 1)
            send_unsent_email.delay()  # the next beat run finds nothing to send
            time.sleep(1)

    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert ticket.reference in mailoutbox[0].subject
    unsent.refresh_from_db()
    assert unsent.sent_at is not None
