"""A Celery worker killed in the middle of sending: the mail goes out once, later.

Real processes, all the test's own: a Redis server, an SMTP server on
127.0.0.1 that reads the first message but never answers it, and
`celery -A helpdesk worker` processes on the pytest database. The first
worker is killed with SIGKILL while it waits for the SMTP server's answer, so
the message was never accepted. What a worker that dies after the relay's
"250 OK" but before the row is marked sent does is in tickets/outbox.py and
SECURITY.md.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F

from outbox.email import STALE_CLAIM, send_outgoing_email, send_unsent_email
from outbox.models import OutgoingEmail
from tests.brokers import celery_broker
from tests.private_services import (
    PrivateRedis,
    SmtpSink,
    WorkerProcess,
    url_of_test_database,
    wait_for,
)
from tests.requirements import require
from tickets.models import Ticket

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Starts worker processes; whichever still runs at the end is stopped."""
    started: list[WorkerProcess] = []

    def start(name: str, env: dict[str, str]) -> WorkerProcess:
        worker = WorkerProcess(name, env, tmp_path / f"{name}.log")
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def test_a_killed_worker_s_mail_is_sent_once_by_the_task_run_again(
    client,
    customer,
    active_licence,
    private_redis: PrivateRedis,
    stalling_smtp_sink: SmtpSink,
    workers: Callable[..., WorkerProcess],
) -> None:
    require(
        connection.vendor == "postgresql",
        "worker processes share the test database only in PostgreSQL; "
        "set DATABASE_URL to one",
    )
    private_redis.start()
    env = {
        "DATABASE_URL": url_of_test_database(),
        "CELERY_BROKER_URL": private_redis.url,
        "EMAIL_URL": stalling_smtp_sink.url,
    }
    first = workers("first", env)

    client.force_login(customer)
    with celery_broker(private_redis.url, shared=False):
        response = client.post(
            "/tickets/new/",
            {
                "licence": active_licence.pk,
                "subject": "Письмо, которое прервали",
                "description": "Текст",
                "category": "other",
                "priority": "normal",
                "contact_email": customer.email,
            },
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    row = OutgoingEmail.objects.get(ticket_id=ticket.pk)

    # The worker has sent the whole message and waits for the server's answer.
    assert stalling_smtp_sink.stalled.wait(30), first.output()
    killed_at = time.monotonic()
    first.kill()

    row.refresh_from_db()
    assert row.claimed_at is not None
    assert (row.sent_at, row.attempts) == (None, 1)
    assert stalling_smtp_sink.accepted == []

    # An hour passes. The dead worker's claim went stale after STALE_CLAIM, and
    # Redis hands its unacknowledged task to the next worker once the visibility
    # timeout is over: an hour, a second here (so the task, handed out before
    # the kill, is over it by the time the next worker starts).
    OutgoingEmail.objects.filter(pk=row.pk).update(
        created_at=F("created_at") - datetime.timedelta(hours=1),
        claimed_at=F("claimed_at") - STALE_CLAIM - datetime.timedelta(minutes=1),
    )
    time.sleep(max(0.0, 1.5 - (time.monotonic() - killed_at)))
    second = workers("second", {**env, "CELERY_VISIBILITY_TIMEOUT": "1"})
    assert wait_for(lambda: len(stalling_smtp_sink.accepted) == 1), second.output()
    # The beat sweeper runs, and the task arrives once more: nothing to send.
    with celery_broker(private_redis.url, shared=False):
        send_unsent_email.delay()
        send_outgoing_email.delay(row.pk)
    assert wait_for(private_redis.drained), second.output()
    second.stop()

    (received,) = stalling_smtp_sink.accepted
    row.refresh_from_db()
    assert received["Message-ID"] == row.message_id
    assert received["To"] == customer.email
    assert ticket.reference in received["Subject"]
    assert row.sent_at is not None
    assert row.attempts == 2  # the killed one and the one that sent
    # It was the killed worker's own task that sent it, run again.
    (task_id,) = re.findall(r"send_outgoing_email\[([\w-]+)\] received", first.output())
    assert re.search(
        rf"send_outgoing_email\[{task_id}\] succeeded in [\d.]+s: True", second.output()
    )
