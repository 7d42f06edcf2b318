"""The chats that follow a ticket hear of its status changes, except their own
and those a reply already tells."""

from __future__ import annotations

import pytest

from tests.tickets.telegram.conftest import file_ticket, link
from tickets.models import OutgoingTelegramMessage, Ticket
from tickets.services import change_ticket_status, close_ticket, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def set_status(agent, django_capture_on_commit_callbacks):
    def change(ticket: Ticket, status: str, **kwargs) -> None:
        kwargs.setdefault("by", agent)
        with django_capture_on_commit_callbacks(execute=True):
            change_ticket_status(ticket, to=status, **kwargs)

    return change


def test_a_status_change_reaches_the_chat_with_the_link(
    customer_chat, set_status
) -> None:
    ticket = file_ticket(customer_chat)

    set_status(ticket, Ticket.Status.WAITING)

    sent = customer_chat.last()
    assert sent["text"].splitlines()[:2] == [
        f"{ticket.reference} · {ticket.subject}",
        "Статус: Ожидает ответа клиента",
    ]
    assert f"/tickets/{ticket.reference}/" in sent["text"]
    # A reply to it in Telegram joins the ticket.
    row = OutgoingTelegramMessage.objects.get(telegram_message_id=sent["message_id"])
    assert row.ticket == ticket


@pytest.fixture
def english_chat(telegram, customer, active_licence):
    customer.language = "en"
    customer.save()
    chat = telegram(903, language="en")
    link(chat, customer)
    return chat


def test_it_speaks_the_contacts_language(english_chat, set_status) -> None:
    ticket = file_ticket(english_chat)

    set_status(ticket, Ticket.Status.WAITING)

    assert "Status: Waiting for customer" in english_chat.last()["text"]


def test_resolved_says_how_to_reopen(english_chat, set_status) -> None:
    ticket = file_ticket(english_chat)

    set_status(ticket, Ticket.Status.RESOLVED)

    assert (
        "reply to this message and the ticket reopens" in (english_chat.last()["text"])
    )


def test_a_status_set_with_a_reply_is_told_by_the_reply_alone(
    customer_chat, reply, bot_api
) -> None:
    ticket = file_ticket(customer_chat)
    before = len(customer_chat.replies())

    reply(ticket, "Проверьте, пожалуйста", new_status=Ticket.Status.WAITING)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    new = customer_chat.replies()[before:]
    assert len(new) == 1
    assert "Проверьте, пожалуйста" in new[0]


def test_the_contacts_own_change_is_not_told_to_them_but_to_a_colleague(
    telegram,
    customer_chat,
    customer,
    colleague,
    reply,
    django_capture_on_commit_callbacks,
) -> None:
    ticket = file_ticket(customer_chat)
    ticket.cc.add(colleague)
    colleague_chat = telegram(904)
    link(colleague_chat, colleague)
    colleague_chat.press(f"show:{ticket.reference}")
    reply(ticket, "Готово")
    before = len(customer_chat.replies())

    with django_capture_on_commit_callbacks(execute=True):
        close_ticket(ticket, by=customer)

    assert len(customer_chat.replies()) == before
    assert "Статус: Закрыта" in colleague_chat.replies()[-2]


def test_a_ticket_not_followed_in_telegram_is_not_told(
    customer_chat, customer, active_licence, set_status
) -> None:
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Из портала",
        description="Описание",
        category=Ticket.Category.OTHER,
    )
    before = len(customer_chat.replies())

    set_status(ticket, Ticket.Status.WAITING)

    assert len(customer_chat.replies()) == before


def test_internal_notes_still_say_nothing_of_the_status(customer_chat, reply) -> None:
    ticket = file_ticket(customer_chat)
    before = len(customer_chat.replies())

    reply(ticket, "Для своих", internal=True, new_status=Ticket.Status.WAITING)

    assert len(customer_chat.replies()) == before
