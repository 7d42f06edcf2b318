"""The queue's "customer answered" marker: `mark_ticket_seen`, a staff reply,
and the row that shows it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from tickets.models import Ticket
from tickets.services import add_message, mark_ticket_seen, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

QUEUE = "/staff/queue/"


def _file(customer, licence, subject: str = "Вопрос") -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject=subject,
        description="d",
        category=Ticket.Category.OTHER,
    )


def _row(html: str, reference: str) -> str:
    found = re.search(rf'<tr data-reference="{reference}">.*?</tr>', html, re.S)
    assert found, f"no row for {reference}"
    return found[0]


def test_staff_looking_first_time_notes_it(customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence)
    updated = ticket.updated_at

    mark_ticket_seen(ticket, by=agent)

    ticket.refresh_from_db()
    assert ticket.staff_seen_at is not None
    assert ticket.staff_seen_at >= ticket.last_customer_message_at
    # A look is not a change of the ticket: the queue's refresh ignores it.
    assert ticket.updated_at == updated


def test_looking_again_writes_nothing(customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence)
    mark_ticket_seen(ticket, by=agent)
    ticket.refresh_from_db()

    with CaptureQueriesContext(connection) as queries:
        mark_ticket_seen(ticket, by=agent)

    assert len(queries) == 0


def test_the_update_writes_only_when_the_customer_wrote_since(
    customer, agent, active_licence
) -> None:
    ticket = _file(customer, active_licence)
    seen = now() + datetime.timedelta(minutes=5)
    Ticket.objects.filter(pk=ticket.pk).update(staff_seen_at=seen)
    # A stale copy, as a page loaded before a colleague looked would hold.
    ticket.staff_seen_at = None

    with CaptureQueriesContext(connection) as queries:
        mark_ticket_seen(ticket, by=agent)

    [update] = queries.captured_queries
    assert update["sql"].startswith("UPDATE")
    ticket.refresh_from_db()
    assert ticket.staff_seen_at == seen


def test_a_customer_looking_marks_nothing(customer, active_licence) -> None:
    ticket = _file(customer, active_licence)

    mark_ticket_seen(ticket, by=customer)

    ticket.refresh_from_db()
    assert ticket.staff_seen_at is None


def test_a_staff_reply_counts_as_seen(customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence)
    add_message(ticket, author=agent, body="Первый ответ")
    add_message(ticket, author=customer, body="Не помогло")
    ticket.refresh_from_db()
    assert ticket.last_customer_message_at > ticket.staff_seen_at

    reply = add_message(ticket, author=agent, body="Второй ответ")

    ticket.refresh_from_db()
    assert ticket.staff_seen_at == reply.created_at


def test_an_internal_note_is_not_an_answer(customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence)

    add_message(ticket, author=agent, body="Заметка", internal=True)

    ticket.refresh_from_db()
    assert ticket.staff_seen_at is None


def test_the_staff_ticket_page_marks_it_seen(
    staff_client, client, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence)

    assert staff_client.get(ticket.get_absolute_url()).status_code == 200

    ticket.refresh_from_db()
    assert ticket.staff_seen_at is not None


def test_the_queue_marks_what_the_customer_answered_since_staff_looked(
    staff_client, customer, agent, active_licence
) -> None:
    answered = _file(customer, active_licence, "answered")
    add_message(answered, author=agent, body="Ответ")
    add_message(answered, author=customer, body="Спасибо, но нет")
    quiet = _file(customer, active_licence, "quiet")
    add_message(quiet, author=agent, body="Ответ")
    never_seen = _file(customer, active_licence, "new")

    html = staff_client.get(QUEUE).content.decode()

    marker = '<span class="answered"><span aria-hidden="true">↩</span> клиент ответил'
    assert marker in _row(html, answered.reference)
    # A ticket nobody has opened is new, not answered.
    for ticket in (quiet, never_seen):
        assert 'class="answered"' not in _row(html, ticket.reference)

    staff_client.get(answered.get_absolute_url())
    html = staff_client.get(QUEUE).content.decode()
    assert 'class="answered"' not in _row(html, answered.reference)


def test_the_marker_in_english(staff_client, customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence)
    add_message(ticket, author=agent, body="Answer")
    add_message(ticket, author=customer, body="Still broken")
    staff_client.cookies["django_language"] = "en"

    row = _row(staff_client.get(QUEUE).content.decode(), ticket.reference)

    assert "</span> customer answered</span>" in row
