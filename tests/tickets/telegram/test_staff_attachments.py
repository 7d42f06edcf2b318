"""The files of support's replies follow the reply into the chat, uploaded."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import now

from tests.tickets.telegram.conftest import file_ticket
from tickets.models import OutgoingTelegramMessage
from tickets.telegram import bot_api as telegram_bot_api
from tickets.telegram.updates import telegram_catch_up

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "отчёт.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def png(name: str = "screen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def chat_calls(bot_api, chat_id: int) -> list[str]:
    return [
        call.method
        for call in bot_api.calls
        if call.params.get("chat_id") == chat_id
        and call.method in {"sendMessage", "sendDocument", "sendPhoto"}
    ]


def telegram_catch_up_now() -> None:
    """The catch-up task, as if the rows had waited long enough for it."""
    OutgoingTelegramMessage.objects.filter(sent_at=None).update(
        created_at=now() - datetime.timedelta(minutes=5)
    )
    telegram_catch_up()


def test_the_files_follow_the_reply_as_a_document_and_a_photo(
    customer_chat, reply, bot_api
) -> None:
    ticket = file_ticket(customer_chat)
    bot_api.calls.clear()

    reply(ticket, "Смотрите вложения", attachments=[pdf(), png()])

    assert chat_calls(bot_api, customer_chat.chat_id) == [
        "sendMessage",
        "sendDocument",
        "sendPhoto",
    ]
    (_m1, document), (_m2, photo) = bot_api.uploads(customer_chat.chat_id)
    assert (document.field, document.name, document.content) == (
        "document",
        "отчёт.pdf",
        PDF,
    )
    assert document.content_type == "application/pdf"
    assert (photo.field, photo.name, photo.content) == ("photo", "screen.png", PNG)
    upload_call = next(c for c in bot_api.calls if c.method == "sendDocument")
    assert upload_call.params["caption"] == f"{ticket.reference} · отчёт.pdf"
    # A reply to a file in Telegram joins its ticket, as a reply to the text does.
    rows = OutgoingTelegramMessage.objects.filter(attachment__isnull=False)
    assert {row.ticket for row in rows} == {ticket}
    assert all(row.telegram_message_id and row.sent_at for row in rows)


def test_the_text_still_counts_the_files(customer_chat, reply) -> None:
    ticket = file_ticket(customer_chat)

    reply(ticket, "Два файла", attachments=[pdf(), png()])

    assert "2 файла" in customer_chat.last()["text"]


def test_files_of_internal_notes_never_go(customer_chat, reply, bot_api) -> None:
    ticket = file_ticket(customer_chat)

    reply(ticket, "Только для своих", internal=True, attachments=[pdf()])

    assert bot_api.uploads() == []
    assert not OutgoingTelegramMessage.objects.filter(attachment__isnull=False).exists()


def test_a_file_above_telegrams_limit_stays_a_link(
    customer_chat, reply, bot_api, monkeypatch
) -> None:
    ticket = file_ticket(customer_chat)
    monkeypatch.setattr(telegram_bot_api, "UPLOAD_MAX_BYTES", len(PNG))
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * len(PNG), "application/pdf")

    reply(ticket, "Большой и маленький", attachments=[big, png()])

    assert [upload.name for _method, upload in bot_api.uploads()] == ["screen.png"]
    text = customer_chat.last()["text"]
    assert "big.pdf" in text
    assert f"/tickets/{ticket.reference}/" in text


def test_a_large_picture_goes_as_a_document(
    customer_chat, reply, bot_api, monkeypatch
) -> None:
    ticket = file_ticket(customer_chat)
    monkeypatch.setattr(telegram_bot_api, "PHOTO_MAX_BYTES", len(PNG) - 1)

    reply(ticket, "Скриншот", attachments=[png()])

    assert [method for method, _upload in bot_api.uploads()] == ["sendDocument"]


def test_a_picture_telegram_refuses_as_a_photo_goes_as_a_document(
    customer_chat, reply, bot_api
) -> None:
    ticket = file_ticket(customer_chat)
    bot_api.refuse_photos = True

    reply(ticket, "Панорама", attachments=[png("wide.png")])

    [(method, upload)] = bot_api.uploads()
    assert (method, upload.name) == ("sendDocument", "wide.png")
    row = OutgoingTelegramMessage.objects.get(attachment__isnull=False)
    assert row.sent_at is not None
    assert row.failed_at is None


def test_while_telegram_is_down_files_wait_and_then_go_after_the_text(
    customer_chat, reply, bot_api
) -> None:
    ticket = file_ticket(customer_chat)
    bot_api.fail_with = 502

    reply(ticket, "С файлом", attachments=[pdf()])

    waiting = OutgoingTelegramMessage.objects.filter(sent_at=None).order_by("pk")
    assert [row.method for row in waiting] == ["sendMessage", "sendDocument"]
    assert all(row.failed_at is None for row in waiting)

    bot_api.fail_with = None
    bot_api.calls.clear()
    telegram_catch_up_now()

    assert chat_calls(bot_api, customer_chat.chat_id) == [
        "sendMessage",
        "sendDocument",
    ]
    assert not OutgoingTelegramMessage.objects.filter(sent_at=None).exists()


def test_a_file_gone_from_storage_fails_alone(customer_chat, reply, bot_api) -> None:
    ticket = file_ticket(customer_chat)
    bot_api.fail_with = 502
    reply(ticket, "Два файла", attachments=[pdf(), png()])
    gone = OutgoingTelegramMessage.objects.get(method="sendDocument")
    gone.attachment.file.delete(save=False)

    bot_api.fail_with = None
    telegram_catch_up_now()

    gone.refresh_from_db()
    assert gone.failed_at is not None
    assert "отчёт.pdf" in gone.last_error
    assert [upload.name for _method, upload in bot_api.uploads()] == ["screen.png"]


def test_a_chat_that_blocked_the_bot_gets_no_files_either(
    customer_chat, reply, bot_api
) -> None:
    ticket = file_ticket(customer_chat)
    bot_api.blocked.add(customer_chat.chat_id)

    reply(ticket, "Ответ", attachments=[pdf()])

    row = OutgoingTelegramMessage.objects.get(attachment__isnull=False)
    assert row.failed_at is not None
    assert "blocked" in row.last_error
