"""Which events become deliveries, for whom, saying what: an organisation's
integration hears only of its own organisation and never of internal notes
or access requests; a staff integration hears of everything it chose."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from accounts.models import AccessRequest
from accounts.services import (
    renew_subscription,
    request_access,
    send_subscription_reminders,
)
from api.models import Integration
from tests.factories import LicenceFactory
from tests.webhooks.conftest import endpoint_for
from tickets.models import Ticket
from tickets.services import (
    TicketError,
    add_message,
    change_ticket_status,
    open_ticket,
    rate_ticket,
    update_ticket,
    warn_about_deadlines,
)
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

MSK = datetime.timezone(datetime.timedelta(hours=3))


@pytest.fixture
def endpoints(organisation_integration, staff_integration, outsider):
    # Straight into the table: the outsider is a plain member.
    other = Integration.objects.create(
        name="Чужой мониторинг",
        user=outsider,
        organisation_id=outsider.membership.organisation_id,
    )
    return {
        "ours": endpoint_for(organisation_integration, "https://ours.example/hook"),
        "staff": endpoint_for(staff_integration, "https://crm.example/hook"),
        "other": endpoint_for(other, "https://other.example/hook"),
    }


def _types(endpoint) -> list[str]:
    return list(
        Delivery.objects.filter(endpoint=endpoint)
        .order_by("pk")
        .values_list("event_type", flat=True)
    )


def test_a_ticket_s_public_life_reaches_its_organisation_and_staff_only(
    endpoints, ticket, customer, agent
) -> None:
    add_message(ticket, author=agent, body="Секретная заметка", internal=True)
    add_message(ticket, author=agent, body="Ответ поддержки", new_status="waiting")
    add_message(ticket, author=customer, body="Ответ клиента")  # reopens
    update_ticket(ticket, by=agent, assignee=agent, priority=Ticket.Priority.LOW)
    change_ticket_status(ticket, to=Ticket.Status.CLOSED, by=agent)
    rate_ticket(ticket, by=customer, score=5)

    expected = [
        "ticket.created",
        "ticket.message_added",
        "ticket.status_changed",  # new → waiting, with the reply
        "ticket.message_added",
        "ticket.status_changed",  # waiting → open, by the customer's message
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.rated",
    ]
    assert _types(endpoints["ours"]) == expected
    assert _types(endpoints["staff"]) == expected
    assert _types(endpoints["other"]) == []
    bodies = [
        d.payload["data"]["message"]["body"]
        for d in Delivery.objects.filter(event_type="ticket.message_added")
    ]
    assert "Секретная заметка" not in bodies
    assert not any("Секретная" in str(d.payload) for d in Delivery.objects.all())


def test_the_payload_names_the_ticket_and_the_public_message(
    endpoints, ticket, agent
) -> None:
    add_message(ticket, author=agent, body="Перезапустите службу")

    delivery = Delivery.objects.filter(
        endpoint=endpoints["ours"], event_type="ticket.message_added"
    ).get()
    payload = delivery.payload
    assert payload["type"] == "ticket.message_added"
    datetime.datetime.fromisoformat(payload["timestamp"])
    data = payload["data"]
    assert data["ticket"]["reference"] == ticket.reference
    assert data["ticket"]["subject"] == ticket.subject
    assert data["ticket"]["status"] == "open"
    assert data["ticket"]["priority"] == "high"
    assert data["ticket"]["organisation"]["tax_id"] == ticket.organisation.tax_id
    assert data["ticket"]["url"].endswith(f"/api/v1/tickets/{ticket.reference}/")
    assert data["message"]["body"] == "Перезапустите службу"
    assert data["message"]["from_support"] is True
    assert data["message"]["author"] == agent.get_full_name()
    assert delivery.ordering_key == ticket.reference
    assert delivery.message_id.startswith("msg_")


def test_an_endpoint_hears_only_the_events_it_chose(
    organisation_integration, ticket, agent
) -> None:
    endpoint = endpoint_for(
        organisation_integration, "https://ours.example/hook", ["ticket.status_changed"]
    )

    add_message(ticket, author=agent, body="Ответ")
    change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)

    # new → open with the first reply, then resolved.
    assert _types(endpoint) == ["ticket.status_changed", "ticket.status_changed"]


def test_inactive_endpoints_and_integrations_hear_nothing(
    organisation_integration, staff_integration, customer, active_licence
) -> None:
    endpoint_for(
        organisation_integration, "https://ours.example/hook"
    ).__class__.objects.update(is_active=False)
    staff_integration.is_active = False
    staff_integration.save()
    endpoint_for(staff_integration, "https://crm.example/hook")

    open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Тема",
        description="Текст",
        category=Ticket.Category.OTHER,
    )

    assert Delivery.objects.count() == 0


def test_a_rolled_back_change_leaves_no_delivery(endpoints, ticket, agent) -> None:
    before = Delivery.objects.count()
    with pytest.raises(TicketError):
        change_ticket_status(ticket, to=Ticket.Status.NEW, by=agent)
    assert Delivery.objects.count() == before


def test_licence_events_reach_the_licence_s_organisation_and_staff(
    endpoints, organisation
) -> None:
    licence = LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2025, 12, 1)
    )
    # Support ends 30 November 2026: 20 days left, then ended.
    send_subscription_reminders(datetime.date(2026, 11, 10))
    send_subscription_reminders(datetime.date(2026, 12, 2))
    renew_subscription(licence, on=datetime.date(2026, 12, 3))

    expected = ["licence.expiring", "licence.expired", "licence.renewed"]
    assert _types(endpoints["ours"]) == expected
    assert _types(endpoints["staff"]) == expected
    assert _types(endpoints["other"]) == []
    renewed = Delivery.objects.filter(
        endpoint=endpoints["ours"], event_type="licence.renewed"
    ).get()
    assert renewed.payload["data"]["licence"]["number"] == licence.number
    assert renewed.payload["data"]["licence"]["support_ends_on"] == "2027-12-02"


def test_access_requests_reach_staff_integrations_only(endpoints) -> None:
    request_access(
        AccessRequest(
            organisation_name="ООО «Новое»",
            tax_id="7707083893",
            full_name="Пётр Петров",
            position="Администратор",
            email="petr@new.example",
            phone="+74950000000",
            licence_number="NONE-0000-0000-0000",
        )
    )

    assert _types(endpoints["staff"]) == ["access_request.created"]
    assert _types(endpoints["ours"]) == []
    assert _types(endpoints["other"]) == []
    (delivery,) = Delivery.objects.all()
    assert delivery.payload["data"]["access_request"]["email"] == "petr@new.example"


def test_sla_warnings_reach_the_ticket_s_organisation(
    endpoints,
    customer,
    agent,
    organisation,
    sla_targets,
    shipped_calendar,
) -> None:
    licence = LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )
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
    ticket.refresh_from_db()
    due = ticket.sla_due_at

    warn_about_deadlines(due - datetime.timedelta(minutes=30))
    warn_about_deadlines(due + datetime.timedelta(minutes=5))
    warn_about_deadlines(due + datetime.timedelta(minutes=10))  # told once

    expected = ["ticket.created", "ticket.sla_warning", "ticket.sla_breached"]
    assert _types(endpoints["ours"]) == expected
    assert _types(endpoints["staff"]) == expected
    assert _types(endpoints["other"]) == []
