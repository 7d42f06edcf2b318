"""A real Celery worker on Redis runs what the web process queues, after commit."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import transaction

from accounts.emails import queue_email

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _wait_for_outbox(count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_task_queued_inside_a_transaction_runs_after_commit(
    redis_celery_worker, mailoutbox
) -> None:
    with transaction.atomic():
        queue_email(["customer@example.com"], subject="Заявка принята", body="Спасибо.")
        # A worker this fast would already have sent a message published now.
        time.sleep(1)
        assert mailoutbox == []

    _wait_for_outbox(1)

    assert [m.subject for m in mailoutbox] == ["Заявка принята"]
    assert mailoutbox[0].to == ["customer@example.com"]


def test_a_task_queued_in_a_rolled_back_transaction_never_runs(
    redis_celery_worker, mailoutbox
) -> None:
    def failing_change() -> None:
        with transaction.atomic():
            queue_email(["customer@example.com"], subject="Никогда", body="-")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    queue_email(
        ["customer@example.com"], subject="Потом", body="-"
    )  # autocommit: sent now

    _wait_for_outbox(1)
    time.sleep(0.5)

    assert [m.subject for m in mailoutbox] == ["Потом"]
