"""A macro applied in bulk from the queue: on each chosen ticket what the
composer's Send does with it, each ticket on its own."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory
from tickets.models import Macro, Message, Ticket, TicketEvent
from tickets.services import change_ticket_status, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

BULK = "/staff/queue/bulk/"


def _file(contact, licence, subject: str = "Вопрос") -> Ticket:
    return open_ticket(
        contact=contact,
        licence=licence,
        subject=subject,
        description="d",
        category=Ticket.Category.OTHER,
    )


@pytest.fixture
def waiting_macro() -> Macro:
    return Macro.objects.create(
        title="Нужен журнал",
        body_ru="Пришлите журнал службы, {customer_name}.",
        body_en="Please send the service log, {customer_name}.",
        status=Ticket.Status.WAITING,
        priority=Ticket.Priority.HIGH,
    )


def _bulk(client, tickets: list[Ticket], macro: Macro | str):
    return client.post(
        BULK,
        {
            "next": "/staff/queue/",
            "tickets": [t.reference for t in tickets],
            "action": "macro",
            "macro": str(getattr(macro, "pk", macro)),
        },
    )


def _messages(client, response) -> list[str]:
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


def test_each_ticket_gets_the_reply_in_its_contacts_language_and_the_properties(
    staff_client, customer, organisation, active_licence, waiting_macro
) -> None:
    english = MembershipFactory(
        organisation=organisation, user__language="en", user__full_name="John Smith"
    ).user
    first = _file(customer, active_licence)
    second = _file(english, active_licence)

    response = _bulk(staff_client, [first, second], waiting_macro)

    assert response.status_code == 302
    assert _messages(staff_client, response) == [
        "Макрос «Нужен журнал» применён к 2 заявкам."
    ]
    replies = {
        m.ticket_id: m.body for m in Message.objects.filter(kind=Message.Kind.REPLY)
    }
    assert replies == {
        first.pk: f"Пришлите журнал службы, {customer.full_name}.",
        second.pk: "Please send the service log, John Smith.",
    }
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority) == ("waiting", "high")
        assert ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()


def test_a_macro_without_text_only_sets_the_properties(
    staff_client, customer, active_licence
) -> None:
    urgent = Macro.objects.create(title="Срочно", priority=Ticket.Priority.CRITICAL)
    ticket = _file(customer, active_licence)

    _bulk(staff_client, [ticket], urgent)

    ticket.refresh_from_db()
    assert ticket.priority == "critical"
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.REPLY).exists()


def test_a_ticket_that_cannot_take_the_status_is_named_and_keeps_no_reply(
    staff_client, customer, agent, active_licence, waiting_macro
) -> None:
    closed = _file(customer, active_licence, "Закрытая")
    change_ticket_status(closed, to=Ticket.Status.CLOSED, by=agent)
    fine = _file(customer, active_licence, "Открытая")

    response = _bulk(staff_client, [closed, fine], waiting_macro)

    texts = _messages(staff_client, response)
    assert (
        f"{closed.reference}: Заявка в статусе «Закрыта» не может стать «Ожидает ответа клиента»."
        in texts
    )
    assert not Message.objects.filter(ticket=closed, kind=Message.Kind.REPLY).exists()
    closed.refresh_from_db()
    assert (closed.status, closed.priority) == ("closed", "normal")
    fine.refresh_from_db()
    assert fine.status == "waiting"


def test_someone_elses_personal_macro_is_refused_in_words(
    staff_client, customer, supervisor, active_licence
) -> None:
    theirs = Macro.objects.create(title="Личный", body_ru="x", owner=supervisor)
    ticket = _file(customer, active_licence)

    response = _bulk(staff_client, [ticket], theirs)

    assert response.status_code == 400
    assert "Выберите макрос, который нужно применить." in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.REPLY).exists()


def test_the_bar_offers_the_agents_macros_under_their_action(
    staff_client, customer, agent, supervisor, active_licence, waiting_macro
) -> None:
    Macro.objects.create(title="Мой", body_ru="x", owner=agent)
    Macro.objects.create(title="Чужой", body_ru="x", owner=supervisor)
    _file(customer, active_licence)

    html = staff_client.get("/staff/queue/").content.decode()

    bar = html[html.index('data-bulk-action="macro"') :]
    bar = bar[: bar.index("</select>")]
    assert "Нужен журнал" in bar
    assert "Мой" in bar
    assert "Чужой" not in bar
