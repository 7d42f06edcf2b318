"""`mark_ticket_seen`: a customer opening the ticket page marks support's
replies seen with one conditional UPDATE, and an ordinary view writes nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from tickets.models import Ticket
from tickets.services import add_message, mark_ticket_seen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _updates(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")
    ]


@pytest.fixture
def answered(ticket, agent) -> Ticket:
    # Filed before the reply: a reply older than its ticket would be a
    # negative first-response time (during support hours).
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=now() - datetime.timedelta(hours=3)
    )
    ticket.refresh_from_db()
    with time_machine.travel(now() - datetime.timedelta(hours=2), tick=False):
        add_message(ticket, author=agent, body="Перезапустите службу.")
    return Ticket.objects.get(pk=ticket.pk)


def test_a_customer_marks_the_reply_seen_with_one_update(answered, colleague) -> None:
    with CaptureQueriesContext(connection) as captured:
        mark_ticket_seen(answered, by=colleague)

    assert len(captured) == 1
    assert len(_updates(captured)) == 1
    assert not Ticket.objects.get(pk=answered.pk).has_new_reply


def test_nothing_unseen_runs_no_query(answered, customer) -> None:
    mark_ticket_seen(answered, by=customer)
    seen = Ticket.objects.get(pk=answered.pk)

    with CaptureQueriesContext(connection) as captured:
        mark_ticket_seen(seen, by=customer)

    assert len(captured) == 0


def test_a_ticket_never_answered_runs_no_query(ticket, customer) -> None:
    unanswered = Ticket.objects.get(pk=ticket.pk)

    with CaptureQueriesContext(connection) as captured:
        mark_ticket_seen(unanswered, by=customer)

    assert len(captured) == 0
    assert Ticket.objects.get(pk=ticket.pk).customer_seen_at is None


def test_staff_mark_nothing_for_the_customer(answered, agent) -> None:
    mark_ticket_seen(answered, by=agent)

    assert Ticket.objects.get(pk=answered.pk).has_new_reply


def test_a_reply_newer_than_the_page_read_stays_new(answered, agent, customer) -> None:
    """The page showed the ticket as read before a second reply committed:
    the stamp must not swallow the reply the reader has not been shown."""
    with time_machine.travel(now() - datetime.timedelta(hours=1), tick=False):
        add_message(answered, author=agent, body="И ещё одно.")

    mark_ticket_seen(answered, by=customer)

    assert Ticket.objects.get(pk=answered.pk).has_new_reply


def test_the_ticket_page_marks_seen_once_then_writes_nothing(
    client, answered, customer
) -> None:
    client.force_login(customer)
    url = answered.get_absolute_url()

    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)

    assert [sql for sql in _updates(first) if "customer_seen_at" in sql] != []
    assert _updates(second) == []
    assert len(second) == len(first) - 1
    assert not Ticket.objects.get(pk=answered.pk).has_new_reply


def test_a_staff_view_leaves_the_customers_marker(staff_client, answered) -> None:
    with CaptureQueriesContext(connection) as captured:
        staff_client.get(answered.get_absolute_url())

    assert not [sql for sql in _updates(captured) if "customer_seen_at" in sql]
    assert Ticket.objects.get(pk=answered.pk).has_new_reply
