"""A receiver on 127.0.0.1 sees every event once, in order per ticket, its
signature checked, across an outage and a worker killed mid-delivery.

Real processes: a Redis server of the test's own and `celery -A helpdesk
worker` processes on the pytest database; the receiver is an http.server
thread that checks each signature as a receiver would, and drops a
`webhook-id` it has already processed.
"""

from __future__ import annotations

import datetime
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.utils.timezone import now

from tests.brokers import celery_broker
from tests.private_services import (
    PrivateRedis,
    WorkerProcess,
    url_of_test_database,
    wait_for,
)
from tests.requirements import require
from tests.webhooks.conftest import Receiver, endpoint_for, verify
from tickets.models import Ticket
from tickets.services import add_message, change_ticket_status, open_ticket
from webhooks.delivery import STALE_CLAIM
from webhooks.models import Delivery
from webhooks.tasks import send_due_deliveries

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(name: str, env: dict[str, str]) -> WorkerProcess:
        worker = WorkerProcess(name, env, tmp_path / f"{name}.log")
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _file(customer, licence, subject: str) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject=subject,
        description="Текст",
        category=Ticket.Category.OTHER,
    )


def test_every_event_arrives_once_in_order_across_an_outage_and_a_killed_worker(
    customer,
    agent,
    active_licence,
    organisation_integration,
    receiver: Receiver,
    private_redis: PrivateRedis,
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
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "EMAIL_URL": "dummymail://",
    }
    endpoint = endpoint_for(organisation_integration, receiver.url)
    first = workers("first", env)

    def pending() -> int:
        return Delivery.objects.pending().count()

    with celery_broker(private_redis.url, shared=False):
        # 1. Two tickets filed while the receiver is up.
        one = _file(customer, active_licence, "Первая")
        two = _file(customer, active_licence, "Вторая")
        assert wait_for(lambda: pending() == 0), first.output()

        # 2. The receiver is down: the head of each ticket fails, the rest wait.
        receiver.answer = lambda _id: 503
        add_message(one, author=agent, body="Ответ по первой")  # + new → open
        add_message(two, author=agent, body="Ответ по второй")  # + new → open
        change_ticket_status(one, to=Ticket.Status.RESOLVED, by=agent)
        add_message(two, author=customer, body="Спасибо")
        assert wait_for(private_redis.drained), first.output()
        assert wait_for(
            lambda: len([r for r in receiver.requests if r["status"] == 503]) == 2
        )
        assert pending() == 6

        # 3. Back up; the first delivery the sweeper sends is held, and the
        # worker killed while it waits for the answer.
        receiver.answer = lambda _id: 200
        held = threading.Event()
        holding: list[str] = []

        def hold(message_id: str) -> threading.Event | None:
            if holding:
                return None
            holding.append(message_id)
            return held

        receiver.hold = hold
        # The retry's moment has come (the schedule's first wait, 5 s, passes).
        Delivery.objects.pending().update(next_attempt_at=now())
        send_due_deliveries.delay()
        assert wait_for(lambda: bool(holding)), first.output()
        first.kill()
        held.set()
        killed = Delivery.objects.get(message_id=holding[0])
        assert killed.sent_at is None
        assert killed.claimed_at is not None

        # 4. Minutes pass: the dead worker's claim goes stale; beat's sweeper
        # runs on another worker.
        Delivery.objects.filter(pk=killed.pk).update(
            claimed_at=F("claimed_at") - STALE_CLAIM - datetime.timedelta(minutes=1)
        )
        second = workers("second", env)
        send_due_deliveries.delay()
        # (The killed worker's own sweeper task stays unacknowledged until
        # Redis's visibility timeout, an hour: the sweeper did its work.)
        assert wait_for(lambda: pending() == 0), second.output()

    # Every request was signed with the endpoint's secret.
    assert all(
        verify(endpoint.secret, request["headers"], request["body"])
        for request in receiver.requests
    )
    # The killed worker's delivery was processed twice with one webhook-id
    # (after its 503 in the outage): once unanswered to the dead worker.
    assert [
        r["status"]
        for r in receiver.requests
        if r["headers"]["webhook-id"] == killed.message_id
    ] == [503, 200, 200]
    # Deduplicated by webhook-id, each event once, in order per ticket.
    seen = receiver.events()
    assert len(seen) == Delivery.objects.count() == 8
    for ticket in (one, two):
        expected = list(
            Delivery.objects.filter(ordering_key=ticket.reference)
            .order_by("pk")
            .values_list("payload", flat=True)
        )
        got = [e for e in seen if e["data"]["ticket"]["reference"] == ticket.reference]
        assert got == expected
    assert [
        e["type"] for e in seen if e["data"]["ticket"]["reference"] == one.reference
    ] == [
        "ticket.created",
        "ticket.message_added",
        "ticket.status_changed",
        "ticket.status_changed",
    ]
