"""Escalations fire at the right working minute on the production calendar
(a shortened day, a holiday, a weekend), once per clock."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from automation.escalations import due_at, escalate, latest_due_start
from automation.models import Action, Condition, Rule, RuleRun
from tests.automation.conftest import at, file, rule
from tests.conftest import _staff
from tests.factories import LicenceFactory
from tickets.models import Message, Ticket
from tickets.services import add_message, change_ticket_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(organisation):
    return LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )


def _sweep(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return escalate()


def test_no_first_answer_in_two_working_hours_raises_priority_and_tells_the_supervisor(
    customer, licence, shipped_calendar, django_capture_on_commit_callbacks
) -> None:
    from accounts.models import StaffRole

    supervisor = _staff("lead@support.example", StaffRole.SUPERVISOR, with_totp=False)
    escalation = rule(
        Rule.Kind.ESCALATION,
        "Нет ответа 2 рабочих часа",
        clock=Rule.Clock.NO_FIRST_ANSWER,
        after=2,
        unit=Rule.Unit.HOURS,
        conditions=[
            {
                "field": Condition.Field.PRIORITY,
                "operator": Condition.Operator.IS_NOT,
                "value": "critical",
            }
        ],
        actions=[
            {"kind": Action.Kind.SET_PRIORITY, "value": "high"},
            {"kind": Action.Kind.NOTIFY, "user": supervisor},
        ],
    )
    # Filed Tuesday 3 November 2026 at 17:00; the day is shortened to 18:00,
    # Wednesday 4 November is a holiday: one hour on Tuesday and the second
    # on Thursday from 07:00.
    with time_machine.travel(at(2026, 11, 3, 17), tick=False):
        ticket = file(customer, licence)
    assert due_at(escalation, ticket.created_at) == at(2026, 11, 5, 8)

    assert _sweep(at(2026, 11, 3, 23)) == 0
    assert _sweep(at(2026, 11, 4, 15)) == 0
    assert _sweep(at(2026, 11, 5, 7, 59)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _sweep(at(2026, 11, 5, 8, 0)) == 1
    assert _sweep(at(2026, 11, 5, 8, 5)) == 0

    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.HIGH
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
    assert RuleRun.objects.filter(rule=escalation, ticket=ticket).count() == 1


def test_waiting_for_the_customer_reminds_after_five_days_and_solves_after_ten(
    customer, licence, agent, shipped_calendar
) -> None:
    remind = rule(
        Rule.Kind.ESCALATION,
        "Напомнить клиенту",
        clock=Rule.Clock.WAITING,
        after=5,
        unit=Rule.Unit.DAYS,
        actions=[
            {
                "kind": Action.Kind.REPLY,
                "value": "{customer_name}, мы ждём вашего ответа по {reference}.",
            }
        ],
    )
    rule(
        Rule.Kind.ESCALATION,
        "Решить молчащую",
        clock=Rule.Clock.WAITING,
        after=10,
        unit=Rule.Unit.DAYS,
        actions=[{"kind": Action.Kind.SET_STATUS, "value": "resolved"}],
    )
    with time_machine.travel(at(2026, 11, 6, 15), tick=False):
        ticket = file(customer, licence)
        add_message(ticket, author=agent, body="Пришлите журнал.", new_status="waiting")
    ticket.refresh_from_db()
    # Support days from Friday 6 November: Saturday 7, Monday 9 … Thursday 12.
    assert due_at(remind, ticket.status_changed_at) == at(2026, 11, 12, 15)

    assert _sweep(at(2026, 11, 12, 14, 59)) == 0
    assert _sweep(at(2026, 11, 12, 15)) == 1
    assert _sweep(at(2026, 11, 13, 12)) == 0
    reminders = ticket.messages.filter(kind=Message.Kind.REPLY, body__contains="ждём")
    assert reminders.count() == 1
    # The reminder is a reply: the ticket still waits for the customer.
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING

    # Ten support days, Saturdays included: Wednesday 18 November, 15:00.
    assert _sweep(at(2026, 11, 18, 14)) == 0
    assert _sweep(at(2026, 11, 18, 15)) == 1
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED


def test_a_new_wait_is_a_new_clock(customer, licence, agent, shipped_calendar) -> None:
    rule(
        Rule.Kind.ESCALATION,
        "Напомнить",
        clock=Rule.Clock.WAITING,
        after=1,
        unit=Rule.Unit.DAYS,
        actions=[{"kind": Action.Kind.ADD_TAGS, "value": "напомнили"}],
    )
    with time_machine.travel(at(2026, 11, 9, 10), tick=False):
        ticket = file(customer, licence)
        change_ticket_status(ticket, to="waiting", by=agent)
    assert _sweep(at(2026, 11, 10, 10)) == 1
    # The customer answers and the ticket waits again: reminded again later.
    with time_machine.travel(at(2026, 11, 10, 11), tick=False):
        add_message(ticket, author=customer, body="Вот журнал")
        change_ticket_status(ticket, to="waiting", by=agent)
    assert _sweep(at(2026, 11, 10, 12)) == 0
    assert _sweep(at(2026, 11, 11, 11)) == 1


def test_a_ticket_that_does_not_match_is_looked_at_once(
    customer, licence, shipped_calendar
) -> None:
    escalation = rule(
        Rule.Kind.ESCALATION,
        "Только критичные",
        clock=Rule.Clock.NO_FIRST_ANSWER,
        after=1,
        conditions=[{"field": Condition.Field.PRIORITY, "value": "critical"}],
        actions=[{"kind": Action.Kind.ADD_TAGS, "value": "горит"}],
    )
    with time_machine.travel(at(2026, 11, 9, 10), tick=False):
        ticket = file(customer, licence)

    assert _sweep(at(2026, 11, 9, 12)) == 0
    run = RuleRun.objects.get(rule=escalation, ticket=ticket)
    assert run.matched is False
    assert not ticket.tags.exists()
    assert latest_due_start(escalation, at(2026, 11, 9, 12)) == at(2026, 11, 9, 11)
