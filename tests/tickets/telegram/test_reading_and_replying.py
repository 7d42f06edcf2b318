"""Open tickets, one ticket, and replies: only what the contact may see in the portal."""

from __future__ import annotations

import pytest

from tests.tickets.telegram.conftest import file_ticket, link
from tickets.models import Message, Ticket
from tickets.services import add_message, change_ticket_status, open_ticket

pytestmark = pytest.mark.django_db


def _web_ticket(contact, licence, subject: str) -> Ticket:
    return open_ticket(
        contact=contact,
        licence=licence,
        subject=subject,
        description="Описание из портала",
        category=Ticket.Category.OTHER,
    )


def test_the_list_shows_open_tickets_the_contact_may_see(
    customer_chat, customer, colleague, outsider, active_licence, agent
) -> None:
    mine = _web_ticket(customer, active_licence, "Моя заявка")
    colleagues = _web_ticket(colleague, active_licence, "Заявка коллеги")
    solved = _web_ticket(customer, active_licence, "Решённая заявка")
    change_ticket_status(solved, to=Ticket.Status.RESOLVED, by=agent)

    customer_chat.press("list")

    text = customer_chat.last()["text"]
    # A manager sees the organisation's tickets, as in the portal.
    assert mine.reference in text
    assert colleagues.reference in text
    assert solved.reference not in text
    assert f"show:{mine.reference}" in customer_chat.buttons()


def test_a_member_lists_only_their_own_tickets(
    telegram, customer, colleague, active_licence
) -> None:
    managers = _web_ticket(customer, active_licence, "Заявка руководителя")
    chat = telegram(31)
    link(chat, colleague)

    chat.send("/list")
    chat.send(f"/show {managers.reference}")

    assert all(managers.reference not in t for t in chat.replies()[:-1])
    assert "Заявка руководителя" not in chat.last()["text"]
    assert f"reply:{managers.reference}" not in chat.buttons()


def test_one_ticket_shows_its_status_and_latest_public_messages(
    telegram, customer, active_licence, agent
) -> None:
    customer.language = "en"
    customer.save()
    chat = telegram(32, language="en")
    link(chat, customer)
    ticket = _web_ticket(customer, active_licence, "Отчёты")
    add_message(ticket, author=agent, body="Ответ поддержки")
    add_message(ticket, author=agent, body="Служебная заметка", internal=True)

    chat.press(f"show:{ticket.reference}")

    text = chat.last()["text"]
    assert f"{ticket.reference} · Отчёты" in text
    assert "Status: Open" in text
    assert "Ответ поддержки" in text
    assert "Служебная заметка" not in text
    assert f"/tickets/{ticket.reference}/" in text
    assert f"reply:{ticket.reference}" in chat.buttons()


def test_another_organisations_ticket_is_not_shown(
    customer_chat, outsider, organisation
) -> None:
    from tests.factories import LicenceFactory

    licence = LicenceFactory(
        organisation=outsider.membership.organisation, number="BETA-0001-BBBB-0001"
    )
    foreign = _web_ticket(outsider, licence, "Чужая тайна")

    customer_chat.send(f"/show {foreign.reference}")
    customer_chat.press(f"reply:{foreign.reference}")
    customer_chat.send("Вмешаюсь")

    assert all("Чужая тайна" not in text for text in customer_chat.replies())
    assert not Message.objects.filter(body="Вмешаюсь").exists()


def test_reply_by_the_button_adds_text_and_files_to_the_ticket(
    customer_chat, customer, active_licence, bot_api
) -> None:
    ticket = _web_ticket(customer, active_licence, "Тема")
    bot_api.files["p"] = b"\xff\xd8 p \xff\xd9"

    customer_chat.press(f"reply:{ticket.reference}")
    customer_chat.send("Вот снимок экрана", photo="p")

    message = ticket.messages.order_by("pk").last()
    assert message.body == "Вот снимок экрана"
    assert message.channel == Ticket.Channel.TELEGRAM
    assert message.attachments.count() == 1
    # The reply is done: the next text is not added again.
    customer_chat.send("Просто текст")
    assert ticket.messages.count() == 2


def test_reply_by_the_command_reopens_a_resolved_ticket(
    customer_chat, customer, active_licence, agent
) -> None:
    ticket = _web_ticket(customer, active_licence, "Тема")
    change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)

    customer_chat.send(f"/reply {ticket.reference.lower()}")
    customer_chat.send("Проблема вернулась")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.messages.order_by("pk").last().body == "Проблема вернулась"


def test_replying_to_the_bots_message_about_a_ticket_adds_to_it(customer_chat) -> None:
    ticket = file_ticket(customer_chat)
    filed = customer_chat.last()

    customer_chat.send("Дополнение", reply_to=filed["message_id"])

    assert ticket.messages.order_by("pk").last().body == "Дополнение"


def test_replying_to_a_message_about_a_ticket_one_may_no_longer_see_adds_nothing(
    telegram, customer, colleague, active_licence
) -> None:
    ticket = _web_ticket(customer, active_licence, "Тема")
    ticket.cc.add(colleague)
    chat = telegram(33)
    link(chat, colleague)
    chat.press(f"show:{ticket.reference}")
    shown = chat.last()
    ticket.cc.remove(colleague)

    chat.send("Уже не моя заявка", reply_to=shown["message_id"])

    assert not Message.objects.filter(body="Уже не моя заявка").exists()


def test_unsupported_messages_are_explained(telegram, customer, active_licence) -> None:
    customer.language = "en"
    customer.save()
    chat = telegram(34, language="en")
    link(chat, customer)

    chat.post(chat.message(sticker={"file_id": "s", "file_unique_id": "s"}))

    assert "text, photos and documents" in chat.last()["text"]
