"""Support's public replies reach the chats that follow the ticket, once, in order."""

from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import now

from tests.tickets.telegram.conftest import file_ticket, link
from tickets.models import OutgoingTelegramMessage, Ticket
from tickets.services import open_ticket
from tickets.telegram.updates import telegram_catch_up

pytestmark = pytest.mark.django_db


def test_a_reply_to_a_ticket_filed_in_telegram_reaches_the_chat(
    customer_chat, reply, mailoutbox
) -> None:
    ticket = file_ticket(customer_chat)
    mailoutbox.clear()

    reply(ticket, "Перезапустите службу")

    sent = customer_chat.last()
    assert "Перезапустите службу" in sent["text"]
    row = OutgoingTelegramMessage.objects.get(telegram_message_id=sent["message_id"])
    assert row.ticket == ticket
    # The e-mail goes as well.
    assert [m.to for m in mailoutbox] == [[ticket.contact_email]]


def test_internal_notes_do_not(customer_chat, reply) -> None:
    ticket = file_ticket(customer_chat)
    before = len(customer_chat.replies())

    reply(ticket, "Только для своих", internal=True)

    assert len(customer_chat.replies()) == before


def test_a_ticket_never_seen_in_telegram_is_not_followed_until_it_is(
    customer_chat, customer, active_licence, reply
) -> None:
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Из портала",
        description="Описание",
        category=Ticket.Category.OTHER,
    )
    reply(ticket, "Первый ответ")
    assert all("Первый ответ" not in text for text in customer_chat.replies())

    customer_chat.press(f"show:{ticket.reference}")
    reply(ticket, "Второй ответ")

    assert "Второй ответ" in customer_chat.last()["text"]


def test_a_copied_colleague_who_follows_the_ticket_hears_too(
    telegram, customer_chat, colleague, reply
) -> None:
    ticket = file_ticket(customer_chat)
    ticket.cc.add(colleague)
    colleague_chat = telegram(901)
    link(colleague_chat, colleague)
    colleague_chat.press(f"show:{ticket.reference}")

    reply(ticket, "Ответ всем")

    assert "Ответ всем" in customer_chat.last()["text"]
    assert "Ответ всем" in colleague_chat.last()["text"]


def test_the_reply_speaks_the_contacts_language(
    telegram, customer, active_licence, reply
) -> None:
    customer.language = "en"
    customer.save()
    chat = telegram(902, language="en")
    link(chat, customer)
    ticket = file_ticket(chat)

    reply(ticket, "Answer")

    assert "Support replied" in chat.last()["text"]
    assert "Reply to this message to answer." in chat.last()["text"]


def test_a_long_reply_is_cut_but_keeps_the_link(customer_chat, reply) -> None:
    ticket = file_ticket(customer_chat)

    reply(ticket, "длинный ответ " * 1000)

    text = customer_chat.last()["text"]
    assert len(text) <= 4096
    assert f"/tickets/{ticket.reference}/" in text


def test_while_telegram_is_down_replies_wait_and_then_go_in_order(
    customer_chat, reply, bot_api, django_capture_on_commit_callbacks
) -> None:
    ticket = file_ticket(customer_chat)
    bot_api.fail_with = 502

    reply(ticket, "Первый")
    reply(ticket, "Второй")

    waiting = OutgoingTelegramMessage.objects.filter(sent_at=None).order_by("pk")
    assert waiting.count() == 2
    # The second waits behind the first, so the chat reads them in order.
    assert [row.attempts > 0 for row in waiting] == [True, False]
    assert all(row.claimed_at is None for row in waiting)

    bot_api.fail_with = None
    waiting.update(created_at=now() - datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        telegram_catch_up()

    texts = customer_chat.replies()
    assert "Первый" in texts[-2]
    assert "Второй" in texts[-1]
    assert not OutgoingTelegramMessage.objects.filter(sent_at=None).exists()


def test_a_chat_that_blocked_the_bot_is_not_retried(
    customer_chat, reply, bot_api, mailoutbox
) -> None:
    ticket = file_ticket(customer_chat)
    bot_api.blocked.add(customer_chat.chat_id)
    mailoutbox.clear()

    reply(ticket, "Ответ")

    row = OutgoingTelegramMessage.objects.latest("pk")
    assert row.failed_at is not None
    assert row.sent_at is None
    assert "blocked" in row.last_error
    attempts = len(bot_api.sent(customer_chat.chat_id))
    telegram_catch_up()
    assert len(bot_api.sent(customer_chat.chat_id)) == attempts
    assert len(mailoutbox) == 1


def test_linking_the_chat_again_keeps_what_it_follows(
    customer_chat, customer, active_licence, reply
) -> None:
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Из портала",
        description="Описание",
        category=Ticket.Category.OTHER,
    )
    customer_chat.press(f"show:{ticket.reference}")

    link(customer_chat, customer)
    reply(ticket, "После повторной привязки")

    assert "После повторной привязки" in customer_chat.last()["text"]
