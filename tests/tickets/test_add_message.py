from __future__ import annotations

import pytest

from tickets.models import Message, Ticket
from tickets.services import TicketError, add_message

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "status", [Ticket.Status.WAITING, Ticket.Status.RESOLVED, Ticket.Status.CLOSED]
)
def test_a_customer_reply_reopens_the_ticket(ticket, agent, customer, status) -> None:
    add_message(ticket, author=agent, body="Ответ", new_status=status)

    add_message(ticket, author=customer, body="Не помогло")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.resolved_at is None


def test_the_first_public_reply_opens_a_new_ticket_and_stamps_the_first_response(
    ticket, agent
) -> None:
    add_message(ticket, author=agent, body="Заметка", internal=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == (Ticket.Status.NEW, None)

    reply = add_message(ticket, author=agent, body="Ответ")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.first_response_at == reply.created_at


def test_a_reply_can_change_the_status_in_the_same_step(ticket, agent) -> None:
    add_message(
        ticket, author=agent, body="Пришлите журнал", new_status=Ticket.Status.WAITING
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING


def test_staff_write_notes_customers_cannot(ticket, agent, customer) -> None:
    note = add_message(ticket, author=agent, body="Похоже на баг 1234", internal=True)
    customer_message = add_message(ticket, author=customer, body="Жду", internal=True)

    assert note.kind == Message.Kind.INTERNAL_NOTE
    assert customer_message.kind == Message.Kind.CUSTOMER
    assert list(
        Message.objects.visible_to(customer).values_list("body", flat=True)
    ) == [
        ticket.messages.first().body,
        "Жду",
    ]


def test_an_empty_message_is_refused(ticket, customer) -> None:
    with pytest.raises(TicketError):
        add_message(ticket, author=customer, body="   ")


def test_a_customer_cannot_set_the_status_through_a_message(ticket, customer) -> None:
    add_message(
        ticket, author=customer, body="Готово", new_status=Ticket.Status.RESOLVED
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
