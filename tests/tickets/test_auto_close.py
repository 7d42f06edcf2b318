from __future__ import annotations

import datetime

import pytest
import time_machine

from tickets.models import Ticket
from tickets.services import change_ticket_status, close_resolved_tickets

pytestmark = pytest.mark.django_db

MSK = datetime.timezone(datetime.timedelta(hours=3))


def test_resolved_tickets_close_after_five_support_days(
    ticket, agent, mailoutbox
) -> None:
    # Resolved on Friday 6 March 2026; 7-9 March are off (the 8 March holiday moved to Monday 9th).
    with time_machine.travel(datetime.datetime(2026, 3, 6, 12, tzinfo=MSK)):
        change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)

    # Sat 7, Tue 10 .. Fri 13 March are the next five days with support hours.
    assert close_resolved_tickets(datetime.date(2026, 3, 12)) == 0
    assert close_resolved_tickets(datetime.date(2026, 3, 13)) == 1

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    event = ticket.events.filter(kind="status").last()
    assert event.actor is None
    assert "автоматически" in event.note


def test_a_ticket_the_customer_answered_stays_open(ticket, agent, customer) -> None:
    from tickets.services import add_message

    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=MSK)):
        change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)
        add_message(ticket, author=customer, body="Не помогло")

    assert close_resolved_tickets(datetime.date(2026, 3, 31)) == 0
