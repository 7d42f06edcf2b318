"""What a customer sees move in their list: `Ticket.last_activity_at` (a
public message by either side, a status change, a merge) and
`last_staff_reply_at`, kept by the services that make those changes."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.utils.timezone import now

from tickets.models import Ticket
from tickets.services import (
    add_message,
    change_ticket_status,
    merge_ticket,
    update_ticket,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

HOUR = datetime.timedelta(hours=1)


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def _later(hours: int):
    return time_machine.travel(now() + hours * HOUR, tick=False)


def test_filing_is_the_first_activity(ticket) -> None:
    ticket = _fresh(ticket)

    assert ticket.last_activity_at == ticket.created_at
    assert ticket.last_staff_reply_at is None
    assert ticket.customer_seen_at is None


def test_a_support_reply_is_activity_and_the_newest_reply(ticket, agent) -> None:
    with _later(1):
        reply = add_message(ticket, author=agent, body="Перезапустите службу.")

    ticket = _fresh(ticket)
    assert ticket.last_activity_at == reply.created_at
    assert ticket.last_staff_reply_at == reply.created_at
    assert ticket.has_new_reply


def test_an_internal_note_moves_nothing_a_customer_sees(ticket, agent) -> None:
    before = _fresh(ticket)
    with _later(1):
        add_message(ticket, author=agent, body="Похоже на 42.", internal=True)
        update_ticket(ticket, by=agent, priority=Ticket.Priority.CRITICAL)

    ticket = _fresh(ticket)
    assert ticket.last_activity_at == before.last_activity_at
    assert ticket.last_staff_reply_at is None


def test_a_status_change_is_activity(ticket, agent) -> None:
    with _later(2):
        event = change_ticket_status(ticket, to=Ticket.Status.WAITING, by=agent)

    assert _fresh(ticket).last_activity_at == event.created_at


def test_a_customer_message_is_activity_and_reads_the_replies(
    ticket, agent, colleague
) -> None:
    with _later(1):
        add_message(ticket, author=agent, body="Пришлите журнал.")
    with _later(2):
        message = add_message(ticket, author=colleague, body="Вот он.")

    ticket = _fresh(ticket)
    # The message reopened the waiting ticket at the same instant.
    assert ticket.last_activity_at == message.created_at
    assert ticket.customer_seen_at == message.created_at
    assert not ticket.has_new_reply


def test_merging_is_activity_on_both_and_keeps_the_newest_reply(
    ticket, colleagues_ticket, agent
) -> None:
    with _later(1):
        reply = add_message(colleagues_ticket, author=agent, body="Ответ.")
    with _later(2):
        event = merge_ticket(colleagues_ticket, into=ticket, by=agent)

    kept, duplicate = _fresh(ticket), _fresh(colleagues_ticket)
    assert kept.last_staff_reply_at == reply.created_at
    assert kept.last_activity_at == event.created_at
    assert duplicate.last_activity_at == event.created_at


def test_the_data_migration_fills_existing_tickets(ticket, agent) -> None:
    """Tickets from before the columns: the newest public message or status
    change, the newest reply, and replies so far counted as seen."""
    with _later(1):
        reply = add_message(ticket, author=agent, body="Ответ.")
    with _later(2):
        add_message(ticket, author=agent, body="Заметка.", internal=True)
    with _later(3):
        status = change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)
    Ticket.objects.update(
        last_activity_at=now() - 100 * HOUR,
        last_staff_reply_at=None,
        customer_seen_at=None,
    )
    migration = importlib.import_module(
        "tickets.migrations.0023_fill_customer_activity"
    )

    migration.fill(None, SimpleNamespace(connection=connection))

    ticket = _fresh(ticket)
    assert ticket.last_activity_at == status.created_at
    assert ticket.last_staff_reply_at == reply.created_at
    assert ticket.customer_seen_at == reply.created_at


def test_the_data_migration_leaves_an_unanswered_ticket_unreplied(ticket) -> None:
    Ticket.objects.update(last_activity_at=now() - 100 * HOUR)
    migration = importlib.import_module(
        "tickets.migrations.0023_fill_customer_activity"
    )

    migration.fill(None, SimpleNamespace(connection=connection))

    ticket = _fresh(ticket)
    assert ticket.last_activity_at == ticket.created_at
    assert ticket.last_staff_reply_at is None
    assert ticket.customer_seen_at is None
