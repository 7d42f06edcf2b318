"""The services keep `Ticket.sla_due_at`; `recompute_sla` follows new targets."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tests.auth import sign_in
from tests.factories import LicenceFactory
from tests.schedule.support import msk
from tickets.models import SlaTarget, Ticket
from tickets.services import (
    add_message,
    change_ticket_status,
    open_ticket,
    update_ticket,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]


@pytest.fixture
def licence(organisation):
    return LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )


def _file(customer, licence, priority: str) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject="Сервер не отвечает",
        description="Совсем",
        category=Ticket.Category.MALFUNCTION,
        priority=priority,
    )


def test_a_ticket_filed_before_the_may_holidays_is_due_after_them(
    customer, licence
) -> None:
    with time_machine.travel(msk(2026, 5, 8, 18, 30), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.CRITICAL)

    assert ticket.sla_due_at == msk(2026, 5, 12, 15)


def test_waiting_clears_the_deadline_and_the_customers_reply_restores_it(
    customer, agent, licence
) -> None:
    with time_machine.travel(msk(2026, 3, 2, 10), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.HIGH)
    with time_machine.travel(msk(2026, 3, 2, 11), tick=False):
        add_message(ticket, author=agent, body="Пришлите журнал", new_status="waiting")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    assert ticket.sla_due_at is None

    with time_machine.travel(msk(2026, 3, 4, 10), tick=False):
        add_message(ticket, author=customer, body="Вот журнал")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.sla_due_at == msk(2026, 3, 6, 9)


def test_resolving_clears_the_deadline(customer, agent, licence) -> None:
    with time_machine.travel(msk(2026, 3, 2, 10), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.HIGH)
        change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)

    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_a_new_priority_moves_the_deadline(customer, agent, licence) -> None:
    with time_machine.travel(msk(2026, 3, 2, 10), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.NORMAL)
        update_ticket(ticket, by=agent, priority=Ticket.Priority.CRITICAL)

    ticket.refresh_from_db()
    assert ticket.sla_due_at == msk(2026, 3, 2, 18)
    assert ticket.events.filter(kind="priority").count() == 1


def test_recompute_sla_follows_changed_targets(customer, licence) -> None:
    with time_machine.travel(msk(2026, 3, 2, 10), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.HIGH)
    SlaTarget.objects.filter(priority="high").update(resolution_hours=12)
    out = StringIO()

    call_command("recompute_sla", stdout=out)
    call_command("recompute_sla", stdout=out)

    ticket.refresh_from_db()
    # 12 h from Monday 10:00: 9 h on Monday, 3 h on Tuesday.
    assert ticket.sla_due_at == msk(2026, 3, 3, 10)
    assert out.getvalue().splitlines() == [
        "Tickets with changed SLA facts: 1",
        "Tickets with changed SLA facts: 0",
    ]


def test_a_calendar_change_recomputes_open_deadlines(
    customer, licence, django_capture_on_commit_callbacks
) -> None:
    from schedule.models import DateOverride

    with time_machine.travel(msk(2026, 3, 2, 10), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.CRITICAL)
        assert ticket.sla_due_at == msk(2026, 3, 2, 18)

        # Monday closes at 15:00 after all: 5 h on Monday, 3 h on Tuesday.
        with django_capture_on_commit_callbacks(execute=True):
            DateOverride.objects.create(
                date=datetime.date(2026, 3, 2),
                is_closed=False,
                opens_at=datetime.time(7),
                closes_at=datetime.time(15),
            )

    ticket.refresh_from_db()
    assert ticket.sla_due_at == msk(2026, 3, 3, 10)


def test_a_target_changed_in_the_admin_recomputes_open_deadlines(
    client, admin_user, customer, licence, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, admin_user)
    with time_machine.travel(msk(2026, 3, 2, 10), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.CRITICAL)
        target = SlaTarget.objects.get(priority=Ticket.Priority.CRITICAL)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/admin/tickets/slatarget/{target.pk}/change/",
                {
                    "priority": target.priority,
                    "first_response_hours": target.first_response_hours,
                    "resolution_hours": "4",
                },
            )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.sla_due_at == msk(2026, 3, 2, 14)


def test_a_target_deleted_in_the_admin_leaves_its_tickets_without_a_deadline(
    client, admin_user, customer, licence, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, admin_user)
    with time_machine.travel(msk(2026, 3, 2, 10), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.CRITICAL)
        assert ticket.sla_due_at is not None
        target = SlaTarget.objects.get(priority=Ticket.Priority.CRITICAL)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/admin/tickets/slatarget/{target.pk}/delete/", {"post": "yes"}
            )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_a_deadline_that_runs_out_at_closing_is_shown_at_the_closing(
    client, agent, customer, licence
) -> None:
    SlaTarget.objects.filter(priority=Ticket.Priority.CRITICAL).update(
        resolution_hours=8
    )
    sign_in(client, agent)
    # Monday 11:00 plus eight support hours: stored as Tuesday's opening
    # (the arithmetic is half-open), read as Monday's closing.
    with time_machine.travel(msk(2026, 3, 2, 11), tick=False):
        ticket = _file(customer, licence, Ticket.Priority.CRITICAL)
        html = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
        queue = client.get("/staff/queue/").text

    assert ticket.sla_due_at == msk(2026, 3, 3, 7)
    assert "due 02.03.2026 19:00" in html
    assert "due 03.03.2026 07:00" not in html
    assert 'title="02.03.2026 19:00"' in queue
