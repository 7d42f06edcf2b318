"""The one claim every outbox row goes through: once, and a dead worker's claim taken over."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils.timezone import now

from outbox.email import queue
from outbox.models import STALE_CLAIM, OutboxRow, OutgoingEmail
from tickets.models import OutgoingTelegramMessage

pytestmark = pytest.mark.django_db


def _row() -> OutgoingEmail:
    return queue(["customer@example.com"], subject="Тема", body="Текст")


def test_a_second_claim_is_refused() -> None:
    row = _row()

    assert OutgoingEmail.objects.claim(row.pk) is True
    assert OutgoingEmail.objects.claim(row.pk) is False

    row.refresh_from_db()
    assert row.claimed_at is not None
    assert row.attempts == 1


def test_a_stale_claim_is_taken_over() -> None:
    row = _row()
    assert OutgoingEmail.objects.claim(row.pk)
    claimed_at = OutgoingEmail.objects.get(pk=row.pk).claimed_at
    second = datetime.timedelta(seconds=1)

    with time_machine.travel(claimed_at + STALE_CLAIM - second, tick=False):
        assert OutgoingEmail.objects.claim(row.pk) is False
    with time_machine.travel(claimed_at + STALE_CLAIM + second, tick=False):
        assert OutgoingEmail.objects.claim(row.pk) is True

    assert OutgoingEmail.objects.get(pk=row.pk).attempts == 2


def test_a_released_row_may_be_claimed_again_and_a_sent_one_never() -> None:
    row = _row()
    assert OutgoingEmail.objects.claim(row.pk)

    OutgoingEmail.objects.release(row.pk, OSError("relay went away"))
    assert OutgoingEmail.objects.get(pk=row.pk).last_error == "relay went away"
    assert OutgoingEmail.objects.claim(row.pk)

    OutgoingEmail.objects.mark_sent(row.pk)
    assert OutgoingEmail.objects.get(pk=row.pk).last_error == ""
    with time_machine.travel(now() + STALE_CLAIM * 2, tick=False):
        assert OutgoingEmail.objects.claim(row.pk) is False


def test_the_sweeper_leaves_rows_whose_own_task_is_on_the_way() -> None:
    row = _row()

    assert list(OutgoingEmail.objects.due_for_sweep()) == []
    with time_machine.travel(row.created_at + datetime.timedelta(minutes=2)):
        assert list(OutgoingEmail.objects.due_for_sweep()) == [row]


def test_both_outboxes_are_outbox_rows() -> None:
    assert issubclass(OutgoingEmail, OutboxRow)
    assert issubclass(OutgoingTelegramMessage, OutboxRow)
    assert type(OutgoingTelegramMessage.objects.all()) is type(
        OutgoingEmail.objects.all()
    )
