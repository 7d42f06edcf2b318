from __future__ import annotations

import pytest

from tests.auth import sign_in
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/tickets/new/for-customer/"


def _form(contact, licence, **overrides):
    return {
        "contact_email": contact.email.upper(),
        "licence_number": licence.number.lower(),
        "channel": "phone",
        "subject": "Звонок: не печатаются отчёты",
        "description": "Клиент позвонил в 10:15.",
        "category": "malfunction",
        "priority": "normal",
        "override_reason": "",
        **overrides,
    }


def test_an_agent_logs_a_call_as_a_ticket(
    client, agent, customer, active_licence
) -> None:
    sign_in(client, agent)

    response = client.post(URL, _form(customer, active_licence))

    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert (ticket.contact, ticket.channel) == (customer, "phone")
    assert ticket.events.get(kind="created").actor == agent


def test_a_lapsed_licence_needs_a_recorded_reason(
    client, agent, customer, lapsed_licence
) -> None:
    sign_in(client, agent)

    refused = client.post(URL, _form(customer, lapsed_licence))
    assert refused.status_code == 200
    assert not Ticket.objects.exists()
    assert (
        lapsed_licence.support_ends_on.strftime("%d.%m.%Y") in refused.content.decode()
    )

    client.post(
        URL, _form(customer, lapsed_licence, override_reason="Оплата продления в пути")
    )

    ticket = Ticket.objects.get()
    assert (ticket.licence_override_by, ticket.licence_override_reason) == (
        agent,
        "Оплата продления в пути",
    )


def test_the_licence_must_be_the_contacts(
    client, agent, customer, outsider, active_licence
) -> None:
    sign_in(client, agent)

    response = client.post(URL, _form(outsider, active_licence))

    assert "принадлежит другой организации" in response.content.decode()
    assert not Ticket.objects.exists()


def test_customers_may_not_file_for_others(client, customer) -> None:
    client.force_login(customer)

    assert client.get(URL).status_code == 403


def test_a_call_is_logged_by_the_callers_phone_in_any_form(
    client, agent, customer, active_licence
) -> None:
    customer.phone = "+79123456789"
    customer.save()
    sign_in(client, agent)

    client.post(URL, _form(customer, active_licence, contact_email="8 (912) 345-67-89"))

    ticket = Ticket.objects.get()
    assert (ticket.contact, ticket.channel) == (customer, "phone")
    first = ticket.messages.get().body
    assert agent.full_name in first
    assert "Звонок принял" in first


def test_an_unknown_or_shared_phone_is_refused(
    client, agent, customer, colleague, active_licence
) -> None:
    for user in (customer, colleague):
        user.phone = "+79123456789"
        user.save()
    sign_in(client, agent)

    response = client.post(
        URL, _form(customer, active_licence, contact_email="+7 912 345 67 89")
    )

    assert response.status_code == 200
    assert not Ticket.objects.exists()


def test_a_phone_filed_ticket_keeps_the_number_called_from(
    client, agent, customer, active_licence
) -> None:
    customer.phone = "+74951234567"
    customer.save()
    sign_in(client, agent)

    client.post(URL, _form(customer, active_licence, subject="По почте"))
    client.post(
        URL,
        _form(
            customer,
            active_licence,
            contact_email="8 (495) 123-45-67",
            subject="По телефону",
        ),
    )

    phones = dict(Ticket.objects.values_list("subject", "contact_phone"))
    assert {subject: phone.as_e164 for subject, phone in phones.items()} == {
        "По почте": "+74951234567",
        "По телефону": "+74951234567",
    }


def test_a_later_call_is_logged_as_the_customers_message(
    client, agent, customer, ticket
) -> None:
    from tickets.services import change_ticket_status

    change_ticket_status(ticket, to=Ticket.Status.WAITING, by=agent)
    sign_in(client, agent)

    response = client.post(
        ticket.get_absolute_url(),
        {"body": "Клиент перезвонил: ошибка повторилась.", "kind": "phone"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    ticket.refresh_from_db()
    message = ticket.messages.order_by("pk").last()
    assert response.status_code == 302
    assert (message.author, message.kind, message.channel) == (
        customer,
        "customer",
        "phone",
    )
    assert message.body.startswith("*Phone call taken by")
    assert message.body.endswith("Клиент перезвонил: ошибка повторилась.")
    # A customer's message reopens a ticket waiting for them.
    assert ticket.status == Ticket.Status.OPEN


def test_an_unknown_kind_of_message_is_refused(client, agent, ticket) -> None:
    sign_in(client, agent)

    response = client.post(
        ticket.get_absolute_url(),
        {"body": "Звонок", "kind": "fax"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ticket.messages.count() == 1
