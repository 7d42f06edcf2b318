"""The bot's outbox: what the bot says is a row written with the change it tells of.

1. `queue()` writes an `OutgoingTelegramMessage` inside the caller's
   transaction and, once it commits, asks a worker to send the chat's rows.
2. `send_chat()` sends a chat's unsent rows oldest first, each claimed as
   every outbox row is (`outbox.models.OutboxQuerySet.claim`), and stops at a row another worker holds, so the chat
   reads them in order and none twice. Telegram's message id is kept: a reply
   to a message about a ticket joins that ticket.
3. Telegram down: the claim is released and the task retried; `send_unsent()`
   (beat) picks up what is left. A final refusal (the user blocked the bot)
   marks the row failed.
4. A row with an attachment uploads the ticket's file (sendDocument,
   sendPhoto) as it is sent, read from storage then: the row holds no copy.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils.timezone import now

from tickets.models import Attachment, OutgoingTelegramMessage, TelegramLink, Ticket
from tickets.telegram import bot_api

logger = logging.getLogger(__name__)

Buttons = list[list[tuple[str, str]]]


def fit(text: str, limit: int = bot_api.MESSAGE_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def queue(
    chat_id: int,
    text: str,
    *,
    buttons: Buttons | None = None,
    link: TelegramLink | None = None,
    ticket: Ticket | None = None,
) -> OutgoingTelegramMessage:
    """Say `text` in the chat after commit; `buttons` are rows of (label, callback data).

    Plain text, no parse_mode: whatever users wrote reaches Telegram as
    letters, never as markup.
    """
    payload: dict[str, object] = {
        "text": fit(text),
        "link_preview_options": {"is_disabled": True},
    }
    if buttons:
        payload["reply_markup"] = {
            "inline_keyboard": [
                [{"text": label[:64], "callback_data": data} for label, data in row]
                for row in buttons
            ]
        }
    return _queue(
        chat_id,
        OutgoingTelegramMessage.Method.SEND_MESSAGE,
        payload,
        link=link,
        ticket=ticket,
    )


def queue_file(
    chat_id: int,
    attachment: Attachment,
    *,
    caption: str = "",
    link: TelegramLink | None = None,
    ticket: Ticket | None = None,
) -> OutgoingTelegramMessage:
    """Upload a ticket's file to the chat after commit: a photo Telegram shows
    as one (`bot_api.PHOTO_TYPES`, small enough), anything else as a document.
    The caller leaves out files above `bot_api.UPLOAD_MAX_BYTES`."""
    photo = (
        attachment.content_type in bot_api.PHOTO_TYPES
        and attachment.size <= bot_api.PHOTO_MAX_BYTES
    )
    return _queue(
        chat_id,
        OutgoingTelegramMessage.Method.SEND_PHOTO
        if photo
        else OutgoingTelegramMessage.Method.SEND_DOCUMENT,
        {"caption": fit(caption, bot_api.CAPTION_MAX_CHARS)} if caption else {},
        link=link,
        ticket=ticket,
        attachment=attachment,
    )


def queue_edit(
    chat_id: int,
    message_id: int,
    text: str,
    *,
    link: TelegramLink | None = None,
    ticket: Ticket | None = None,
) -> OutgoingTelegramMessage:
    """Replace the text of a message the bot sent; its buttons go with it."""
    return _queue(
        chat_id,
        OutgoingTelegramMessage.Method.EDIT_MESSAGE_TEXT,
        {
            "message_id": message_id,
            "text": fit(text),
            "link_preview_options": {"is_disabled": True},
        },
        link=link,
        ticket=ticket,
    )


def queue_callback_answer(chat_id: int, callback_query_id: str) -> None:
    """Stop the spinner on the button the user pressed."""
    _queue(
        chat_id,
        OutgoingTelegramMessage.Method.ANSWER_CALLBACK_QUERY,
        {"callback_query_id": callback_query_id},
    )


def _queue(
    chat_id: int,
    method: str,
    payload: dict[str, object],
    *,
    link: TelegramLink | None = None,
    ticket: Ticket | None = None,
    attachment: Attachment | None = None,
) -> OutgoingTelegramMessage:
    message = OutgoingTelegramMessage.objects.create(
        chat_id=chat_id,
        method=method,
        payload=payload,
        link=link,
        ticket=ticket,
        attachment=attachment,
    )

    # Robust: with the broker down the change still stands; the row waits
    # for the catch-up task.
    def send_after_commit() -> None:  # named: Django logs robust failures by name
        send_telegram_chat.delay(chat_id)

    transaction.on_commit(send_after_commit, robust=True)
    return message


def _claim_next(chat_id: int) -> OutgoingTelegramMessage | None:
    """The chat's oldest unsent row, claimed; None when none is left or another
    worker is sending the oldest one (it sends the rest after it)."""
    oldest = (
        OutgoingTelegramMessage.objects.filter(
            chat_id=chat_id, sent_at=None, failed_at=None
        )
        .select_related("attachment")
        .order_by("pk")
        .first()
    )
    if oldest is None:
        return None
    claimed = OutgoingTelegramMessage.objects.filter(failed_at=None).claim(oldest.pk)
    return oldest if claimed else None


def send_chat(chat_id: int) -> int:
    """Send the chat's unsent rows in order; how many were sent."""
    sent = 0
    while (message := _claim_next(chat_id)) is not None:
        sent += _deliver(message)
    return sent


def _call(message: OutgoingTelegramMessage) -> Any:
    attachment = message.attachment
    if attachment is None:
        return bot_api.call(message.method, chat_id=message.chat_id, **message.payload)
    try:
        with attachment.file.open("rb") as file:
            content = file.read()
    except FileNotFoundError as error:
        # Gone from storage: trying again will not bring it back.
        raise bot_api.BotApiError(f"{attachment.original_name}: {error}") from error
    return bot_api.upload(
        message.method,
        field="photo"
        if message.method == OutgoingTelegramMessage.Method.SEND_PHOTO
        else "document",
        name=attachment.original_name,
        content=content,
        content_type=attachment.content_type,
        chat_id=message.chat_id,
        **message.payload,
    )


def _deliver(message: OutgoingTelegramMessage) -> bool:
    try:
        result = _call(message)
    except bot_api.BotApiError as error:
        if message.method == OutgoingTelegramMessage.Method.SEND_PHOTO:
            # Telegram takes some pictures only as files (too long a side, an
            # odd ratio): the row is sent again at once, as a document.
            OutgoingTelegramMessage.objects.filter(pk=message.pk).update(
                method=OutgoingTelegramMessage.Method.SEND_DOCUMENT
            )
            OutgoingTelegramMessage.objects.release(message.pk, error)
            return False
        logger.warning("Telegram refused message %s: %s", message.pk, error)
        OutgoingTelegramMessage.objects.filter(pk=message.pk).update(
            failed_at=now(), last_error=str(error)[:1000]
        )
        return False
    except OSError as error:
        OutgoingTelegramMessage.objects.release(message.pk, error)
        raise
    message_id = result.get("message_id") if isinstance(result, dict) else None
    OutgoingTelegramMessage.objects.mark_sent(
        message.pk, telegram_message_id=message_id
    )
    return True


def send_unsent() -> int:
    """Send what is still unsent (a lost task, Telegram was down)."""
    sent = 0
    chats = (
        OutgoingTelegramMessage.objects.due_for_sweep()
        .filter(failed_at=None)
        .order_by("chat_id")
        .values_list("chat_id", flat=True)
        .distinct()[:500]
    )
    for chat_id in list(chats):
        try:
            sent += send_chat(chat_id)
        except OSError:
            break  # Telegram is down: the next run tries again
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_telegram_chat(chat_id: int) -> int:
    return send_chat(chat_id)
