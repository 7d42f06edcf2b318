"""Ticket mail goes through the outbox: one row per recipient, sent once."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from outbox.email import send_outgoing_email
from outbox.models import OutgoingEmail
from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = pytest.mark.django_db


def _file(customer, licence) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject="Тема",
        description="Описание",
        category=Ticket.Category.OTHER,
    )


def test_the_row_is_written_with_the_change_and_sent_after_commit(
    customer, active_licence, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = _file(customer, active_licence)
        row = OutgoingEmail.objects.get(ticket_id=ticket.pk)
    assert row.sent_at is None
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    row.refresh_from_db()
    assert row.sent_at is not None
    (sent,) = mailoutbox
    assert sent.extra_headers["Message-ID"] == row.message_id
    assert sent.reply_to == [f"support+{ticket.reference.lower()}@helpdesk.localhost"]


def test_a_rolled_back_change_leaves_no_mail(customer, active_licence) -> None:
    def file_then_fail() -> None:
        with transaction.atomic():
            _file(customer, active_licence)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        file_then_fail()

    assert not OutgoingEmail.objects.exists()


def test_each_row_is_sent_once_even_when_the_task_runs_twice(
    customer, agent, active_licence, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _file(customer, active_licence)
        add_message(ticket, author=agent, body="Ответ")
    rows = list(OutgoingEmail.objects.filter(ticket_id=ticket.pk))
    assert len(rows) == 2
    assert len(mailoutbox) == 2

    for row in rows:
        assert send_outgoing_email(row.pk) is False
        assert send_outgoing_email.delay(row.pk).get() is False

    assert len(mailoutbox) == 2
    reply = mailoutbox[1]
    assert (
        reply.extra_headers["In-Reply-To"]
        == f"<{ticket.reference.lower()}@helpdesk.localhost>"
    )
    assert reply.extra_headers["Message-ID"] == rows[1].message_id


def test_a_refused_send_is_retried_by_the_sweeper(
    customer, active_licence, settings, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    import time_machine

    from outbox.email import deliver, send_unsent
    from tests.mail_backends import RelayDownOnceBackend

    settings.EMAIL_BACKEND = "tests.mail_backends.RelayDownOnceBackend"
    RelayDownOnceBackend.failures_left = 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = _file(customer, active_licence)
    row = OutgoingEmail.objects.get(ticket_id=ticket.pk)
    with pytest.raises(OSError, match="relay went away"):
        deliver(row.pk)
    row.refresh_from_db()
    assert (row.sent_at, row.claimed_at, row.attempts) == (None, None, 1)

    with time_machine.travel(row.created_at.timestamp() + 120):
        assert send_unsent() == 1
        assert send_unsent() == 0
    assert len(mailoutbox) == 1
    assert callbacks  # the after-commit send was queued too


def test_a_dead_worker_s_claim_is_taken_over_only_once_it_is_stale(
    customer, active_licence, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    import time_machine

    from outbox.email import STALE_CLAIM, send_unsent

    with django_capture_on_commit_callbacks(execute=False):
        ticket = _file(customer, active_licence)
    row = OutgoingEmail.objects.get(ticket_id=ticket.pk)
    # A worker claimed the row and died before the relay answered.
    OutgoingEmail.objects.filter(pk=row.pk).update(
        claimed_at=row.created_at, attempts=1
    )
    second = datetime.timedelta(seconds=1)

    with time_machine.travel(row.created_at + STALE_CLAIM - second, tick=False):
        assert send_unsent() == 0
        assert send_outgoing_email(row.pk) is False
    assert mailoutbox == []
    with time_machine.travel(row.created_at + STALE_CLAIM + second, tick=False):
        assert send_unsent() == 1
        assert send_outgoing_email(row.pk) is False

    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 2
