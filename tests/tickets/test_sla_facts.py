"""The services store what the dashboard aggregates: the first-response time in
support time, and whether the first response and the solution met their targets.

Default targets (support hours, first response / resolution): critical 1/8,
high 4/24, normal 8/60, low 16/120. Support: Mon–Fri 07–19, Sat 09–16, closed
on Sundays and holidays (a pre-holiday day closes an hour early).
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.factories import LicenceFactory
from tests.schedule.support import msk
from tickets.models import Ticket
from tickets.services import (
    add_message,
    change_ticket_status,
    close_ticket,
    open_ticket,
    recompute_sla,
    refresh_sla,
    update_ticket,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]

HOUR = 3600


@pytest.fixture
def licence(organisation):
    return LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )


def _file(customer, licence, priority: str, at: datetime.datetime) -> Ticket:
    with time_machine.travel(at, tick=False):
        return open_ticket(
            contact=customer,
            licence=licence,
            subject="Сервер не отвечает",
            description="Совсем",
            category=Ticket.Category.MALFUNCTION,
            priority=priority,
        )


def _reply(ticket: Ticket, agent, at: datetime.datetime, **options) -> None:
    with time_machine.travel(at, tick=False):
        add_message(ticket, author=agent, body="Ответ", **options)
    ticket.refresh_from_db()


def _move(ticket: Ticket, by, to: str, at: datetime.datetime) -> None:
    with time_machine.travel(at, tick=False):
        change_ticket_status(ticket, to=to, by=by)
    ticket.refresh_from_db()


def test_a_new_ticket_has_no_facts_yet(customer, licence) -> None:
    ticket = _file(customer, licence, Ticket.Priority.HIGH, msk(2026, 3, 2, 10))

    assert ticket.first_response_support_seconds is None
    assert ticket.first_response_met is None
    assert ticket.resolution_met is None


def test_the_first_reply_stores_support_time_across_the_may_holidays(
    customer, agent, licence
) -> None:
    # Fri 8 May closes at 18:00 (pre-holiday); 9–11 May are holidays; Tue 12
    # opens at 07:00. Three and a half days on the wall clock, two support hours.
    ticket = _file(customer, licence, Ticket.Priority.CRITICAL, msk(2026, 5, 8, 18, 30))

    _reply(ticket, agent, msk(2026, 5, 12, 9))

    assert ticket.first_response_support_seconds == 2 * HOUR
    assert ticket.first_response_met is False  # critical: within one hour


def test_a_reply_within_target_counts_saturday_hours(customer, agent, licence) -> None:
    # Fri 18:30–19:00, Sat 09:00–16:00, Mon 07:00–07:30: eight support hours.
    ticket = _file(customer, licence, Ticket.Priority.NORMAL, msk(2026, 3, 13, 18, 30))

    _reply(ticket, agent, msk(2026, 3, 16, 7, 30))

    assert ticket.first_response_support_seconds == 8 * HOUR
    assert ticket.first_response_met is True  # normal: within eight hours


def test_a_phone_call_logged_as_a_reply_is_the_first_response(
    customer, agent, licence
) -> None:
    ticket = _file(customer, licence, Ticket.Priority.HIGH, msk(2026, 3, 2, 10))

    _reply(ticket, agent, msk(2026, 3, 2, 10, 45), channel=Ticket.Channel.PHONE)

    assert ticket.first_response_at == msk(2026, 3, 2, 10, 45)
    assert ticket.first_response_support_seconds == 45 * 60
    assert ticket.first_response_met is True


def test_an_internal_note_is_no_response_and_a_later_reply_changes_nothing(
    customer, agent, licence
) -> None:
    ticket = _file(customer, licence, Ticket.Priority.HIGH, msk(2026, 3, 2, 10))
    _reply(ticket, agent, msk(2026, 3, 2, 10, 5), internal=True)
    assert ticket.first_response_support_seconds is None

    _reply(ticket, agent, msk(2026, 3, 2, 12))
    _reply(ticket, agent, msk(2026, 3, 3, 12))

    assert ticket.first_response_support_seconds == 2 * HOUR
    assert ticket.first_response_met is True


def test_a_reply_that_also_asks_the_customer_to_wait_is_stored(
    customer, agent, licence
) -> None:
    ticket = _file(customer, licence, Ticket.Priority.HIGH, msk(2026, 3, 2, 10))

    _reply(ticket, agent, msk(2026, 3, 2, 15), new_status=Ticket.Status.WAITING)

    assert ticket.status == Ticket.Status.WAITING
    assert ticket.first_response_support_seconds == 5 * HOUR
    assert ticket.first_response_met is False


def test_solving_within_target_is_recorded_and_waiting_does_not_count(
    customer, agent, licence
) -> None:
    # High: 24 support hours to solve. The clock runs Mon 10–11 (1 h), waits
    # for the customer until Thu 10:00, then runs until Fri 17:00 (9 + 10 h).
    ticket = _file(customer, licence, Ticket.Priority.HIGH, msk(2026, 3, 2, 10))
    _reply(ticket, agent, msk(2026, 3, 2, 11), new_status=Ticket.Status.WAITING)
    with time_machine.travel(msk(2026, 3, 5, 10), tick=False):
        add_message(ticket, author=customer, body="Вот журнал")

    _move(ticket, agent, Ticket.Status.RESOLVED, msk(2026, 3, 6, 17))

    assert ticket.resolved_at == msk(2026, 3, 6, 17)
    assert ticket.resolution_met is True
    # The wait for the customer is left out of the resolution time.
    assert ticket.resolution_support_seconds == 20 * HOUR


def test_solving_late_is_recorded_and_reopening_clears_it(
    customer, agent, licence
) -> None:
    # Critical: 8 support hours; Mon 10:00 to Tue 10:00 is 12.
    ticket = _file(customer, licence, Ticket.Priority.CRITICAL, msk(2026, 3, 2, 10))
    _move(ticket, agent, Ticket.Status.RESOLVED, msk(2026, 3, 3, 10))
    assert ticket.resolution_met is False

    with time_machine.travel(msk(2026, 3, 3, 11), tick=False):
        add_message(ticket, author=customer, body="Не помогло")
    ticket.refresh_from_db()

    assert ticket.status == Ticket.Status.OPEN
    assert (ticket.resolved_at, ticket.resolution_met) == (None, None)
    assert ticket.resolution_support_seconds is None


def test_a_reopened_ticket_is_judged_on_all_its_running_time(
    customer, agent, licence
) -> None:
    # Critical: 8 h. Solved after 3 h, reopened, solved again 4 h later: 7 h
    # in all, met. Reopened once more for 2 h: 9 h in all, missed.
    ticket = _file(customer, licence, Ticket.Priority.CRITICAL, msk(2026, 3, 2, 8))
    _move(ticket, agent, Ticket.Status.RESOLVED, msk(2026, 3, 2, 11))
    _move(ticket, agent, Ticket.Status.OPEN, msk(2026, 3, 2, 12))

    _move(ticket, agent, Ticket.Status.RESOLVED, msk(2026, 3, 2, 16))

    assert ticket.resolution_met is True
    assert ticket.resolution_support_seconds == 7 * HOUR
    _move(ticket, agent, Ticket.Status.OPEN, msk(2026, 3, 2, 16, 30))
    _move(ticket, agent, Ticket.Status.RESOLVED, msk(2026, 3, 2, 18, 30))
    assert ticket.resolution_met is False
    assert ticket.resolution_support_seconds == 9 * HOUR


def test_closing_an_unresolved_ticket_solves_it_then(customer, agent, licence) -> None:
    ticket = _file(customer, licence, Ticket.Priority.NORMAL, msk(2026, 3, 2, 10))

    with time_machine.travel(msk(2026, 3, 2, 12), tick=False):
        close_ticket(ticket, by=customer)
    ticket.refresh_from_db()

    assert ticket.resolved_at == ticket.closed_at == msk(2026, 3, 2, 12)
    assert ticket.resolution_met is True


def test_closing_a_resolved_ticket_keeps_when_it_was_solved(
    customer, agent, licence
) -> None:
    ticket = _file(customer, licence, Ticket.Priority.NORMAL, msk(2026, 3, 2, 10))
    _move(ticket, agent, Ticket.Status.RESOLVED, msk(2026, 3, 2, 12))

    _move(ticket, customer, Ticket.Status.CLOSED, msk(2026, 3, 4, 9))

    assert ticket.resolved_at == msk(2026, 3, 2, 12)
    assert ticket.closed_at == msk(2026, 3, 4, 9)
    assert ticket.resolution_met is True


def test_a_new_priority_judges_the_ticket_against_its_target(
    customer, agent, licence
) -> None:
    # As the ticket page shows: the current priority's targets apply throughout.
    ticket = _file(customer, licence, Ticket.Priority.NORMAL, msk(2026, 3, 2, 10))
    _reply(ticket, agent, msk(2026, 3, 2, 13))
    assert ticket.first_response_met is True

    with time_machine.travel(msk(2026, 3, 2, 14), tick=False):
        update_ticket(ticket, by=agent, priority=Ticket.Priority.CRITICAL)
    ticket.refresh_from_db()

    assert ticket.first_response_met is False
    assert ticket.first_response_support_seconds == 3 * HOUR


def test_recompute_sla_fills_in_rows_stored_before_the_facts_existed(
    customer, agent, licence
) -> None:
    answered = _file(customer, licence, Ticket.Priority.HIGH, msk(2026, 3, 2, 10))
    _reply(answered, agent, msk(2026, 3, 2, 12))
    _move(answered, agent, Ticket.Status.RESOLVED, msk(2026, 3, 3, 10))
    closed = _file(customer, licence, Ticket.Priority.NORMAL, msk(2026, 3, 2, 10))
    with time_machine.travel(msk(2026, 3, 2, 11), tick=False):
        close_ticket(closed, by=customer)
    # As an older version left them: no facts, and closing did not stamp resolved_at.
    Ticket.objects.update(
        first_response_support_seconds=None,
        first_response_met=None,
        resolution_met=None,
    )
    Ticket.objects.filter(pk=closed.pk).update(resolved_at=None)

    with time_machine.travel(msk(2026, 3, 10, 12), tick=False):
        assert recompute_sla() == 2
        assert recompute_sla() == 0

    answered.refresh_from_db()
    closed.refresh_from_db()
    assert answered.first_response_support_seconds == 2 * HOUR
    assert (answered.first_response_met, answered.resolution_met) == (True, True)
    assert closed.resolved_at == msk(2026, 3, 2, 11)
    assert closed.resolution_met is True


def test_a_new_ticket_is_filed_with_its_deadline(customer, licence) -> None:
    # Friday 10:00: a high ticket's 8 support hours run 9 on Friday, then
    # from Saturday 09:00.
    at = msk(2026, 3, 6, 10)
    ticket = _file(customer, licence, Ticket.Priority.HIGH, at)

    assert ticket.sla_due_at is not None
    assert ticket.sla_due_at > at
    # As recomputing at that moment would store it.
    with time_machine.travel(at, tick=False):
        assert refresh_sla(ticket) == []
