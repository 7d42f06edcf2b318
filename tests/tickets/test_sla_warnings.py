from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from accounts.models import StaffRole
from tests.conftest import _staff
from tests.factories import LicenceFactory
from tickets.models import SlaWarning, Ticket
from tickets.services import open_ticket, warn_about_deadlines

pytestmark = pytest.mark.django_db

MSK = datetime.timezone(datetime.timedelta(hours=3))


@pytest.fixture
def critical_ticket(customer, agent, organisation, sla_targets, shipped_calendar):
    licence = LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )
    # Filed Tuesday 10 March 2026, 10:00: a critical ticket is due 8 support hours later, 18:00.
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 10, tzinfo=MSK), tick=False
    ):
        ticket = open_ticket(
            contact=customer,
            licence=licence,
            subject="Всё остановилось",
            description="Срочно",
            category=Ticket.Category.MALFUNCTION,
            priority=Ticket.Priority.CRITICAL,
        )
    ticket.assignee = agent
    ticket.save(update_fields=["assignee"])
    ticket.refresh_from_db()
    return ticket


def _outbox_sent(django_capture_on_commit_callbacks, at: datetime.datetime) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return warn_about_deadlines(at)


def test_the_assignee_and_supervisors_hear_once_before_and_once_after(
    critical_ticket, agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    supervisor = _staff("lead@support.example", StaffRole.SUPERVISOR)
    due = critical_ticket.sla_due_at
    assert due == datetime.datetime(2026, 3, 10, 18, tzinfo=MSK)
    mail.outbox.clear()

    assert (
        _outbox_sent(
            django_capture_on_commit_callbacks, due - datetime.timedelta(hours=2)
        )
        == 0
    )
    assert (
        _outbox_sent(
            django_capture_on_commit_callbacks, due - datetime.timedelta(minutes=30)
        )
        == 1
    )
    assert (
        _outbox_sent(
            django_capture_on_commit_callbacks, due - datetime.timedelta(minutes=20)
        )
        == 0
    )
    assert (
        _outbox_sent(
            django_capture_on_commit_callbacks, due + datetime.timedelta(minutes=5)
        )
        == 1
    )
    assert (
        _outbox_sent(
            django_capture_on_commit_callbacks, due + datetime.timedelta(minutes=50)
        )
        == 0
    )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [agent.email, supervisor.email] * 2
    )
    assert list(
        SlaWarning.objects.values_list("kind", flat=True).order_by("created_at")
    ) == ["due_soon", "breached"]
    assert any("просрочен" in m.subject or "прошёл" in m.subject for m in mail.outbox)


def test_nobody_is_warned_while_support_is_closed(
    critical_ticket, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()
    night = datetime.datetime(2026, 3, 10, 23, tzinfo=MSK)

    assert _outbox_sent(django_capture_on_commit_callbacks, night) == 0
    assert mail.outbox == []
