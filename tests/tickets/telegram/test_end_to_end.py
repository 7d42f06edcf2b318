"""The issue's "done when": link a chat, file with a photo, hear support, answer back."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tickets.models import Message, TelegramLink, Ticket
from tickets.services import add_message

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"photo of the error dialog" + b"\xff\xd9"


def test_link_file_with_a_photo_hear_the_reply_and_answer_it(
    client,
    telegram,
    bot_api,
    customer,
    active_licence,
    agent,
    django_capture_on_commit_callbacks,
) -> None:
    # 1. The profile page gives a one-time deep link; Telegram sends /start <token>.
    client.force_login(customer)
    client.post(reverse("tickets:telegram"))
    page = client.get(reverse("tickets:telegram")).content.decode()
    token = re.search(r"https://t\.me/helpdesk_test_bot\?start=([\w-]+)", page)[1]
    chat = telegram(555001)
    chat.send(f"/start {token}")
    assert TelegramLink.objects.get(user=customer).chat_id == 555001

    # 2. A new ticket (one licence: no choice asked) with a photo.
    chat.press("new")
    chat.send("Не печатается отчёт")
    bot_api.files["photo-1"] = JPEG
    chat.send("Отчёт падает с ошибкой 42", photo="photo-1")
    chat.press("send")

    ticket = Ticket.objects.get()
    assert ticket.channel == Ticket.Channel.TELEGRAM
    assert ticket.licence == active_licence
    assert ticket.subject == "Не печатается отчёт"
    first = ticket.messages.get()
    assert first.body == "Отчёт падает с ошибкой 42"
    assert first.channel == Ticket.Channel.TELEGRAM
    photo = first.attachments.get()
    assert photo.content_type == "image/jpeg"
    with photo.file.open("rb") as stored:
        assert stored.read() == JPEG
    assert ticket.reference in chat.last()["text"]

    # 3. Support's reply comes to the chat.
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=agent, body="Обновите драйвер принтера")
    notification = chat.last()
    assert "Обновите драйвер принтера" in notification["text"]
    assert ticket.reference in notification["text"]

    # 4. Replying to that message adds to the ticket.
    chat.send("Помогло, спасибо", reply_to=notification["message_id"])
    answer = ticket.messages.order_by("pk").last()
    assert answer.body == "Помогло, спасибо"
    assert answer.author == customer
    assert answer.kind == Message.Kind.CUSTOMER
    assert answer.channel == Ticket.Channel.TELEGRAM
    # Plain text only: nothing a user wrote is read as Telegram markup.
    assert all("parse_mode" not in sent for sent in bot_api.sent())
