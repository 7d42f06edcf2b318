"""What a Telegram update says, read leniently: a message (text, photos,
documents, a reply to one of the bot's messages) or a button press."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

# Messages of these kinds carry nothing a ticket can keep.
UNSUPPORTED = (
    "sticker",
    "voice",
    "video",
    "video_note",
    "audio",
    "location",
    "contact",
    "poll",
    "dice",
)


@dataclass(frozen=True)
class TelegramFile:
    """A photo or document as Telegram describes it, before it is fetched."""

    file_id: str
    name: str
    size: int
    content_type: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "name": self.name,
            "size": self.size,
            "content_type": self.content_type,
        }


@dataclass
class Incoming:
    """What the user did: wrote (text, files, a reply) or pressed a button."""

    chat_id: int
    private: bool
    language: str
    sender_name: str
    text: str = ""
    files: list[TelegramFile] = field(default_factory=list)
    unsupported: bool = False
    reply_to: int | None = None
    callback_id: str = ""
    callback_data: str = ""
    # The bot's message whose button was pressed.
    callback_message_id: int | None = None

    def command(self) -> tuple[str, str]:
        """("/show", "HD-2026-000001") for "/show@bot HD-2026-000001"; ("", "") for text."""
        text = self.text.strip()
        if not text.startswith("/"):
            return "", ""
        command, _space, argument = text.partition(" ")
        return command.split("@", 1)[0].lower(), argument.strip()


def _language(code: object) -> str:
    short = str(code or "")[:2].lower()
    return short if short in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _sender_name(sender: dict[str, Any]) -> str:
    name = " ".join(
        str(sender.get(key) or "") for key in ("first_name", "last_name")
    ).strip()
    if sender.get("username"):
        name = f"{name} (@{sender['username']})".strip()
    return name[:300]


def _safe_file_name(name: str) -> str:
    # Only the last path component, without control characters.
    name = re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    return name.strip().strip(".")[-200:]


def _files(message: dict[str, Any]) -> list[TelegramFile]:
    files = []
    photos = [p for p in message.get("photo") or [] if isinstance(p, dict)]
    if photos:
        # Telegram sends each photo in several sizes; the largest is the original.
        photo = max(
            photos,
            key=lambda p: (
                p.get("width", 0) * p.get("height", 0),
                p.get("file_size", 0),
            ),
        )
        files.append(
            TelegramFile(
                file_id=str(photo["file_id"]),
                name=f"photo-{photo.get('file_unique_id', photo['file_id'])}.jpg",
                size=int(photo.get("file_size") or 0),
                content_type="image/jpeg",
            )
        )
    document = message.get("document")
    if isinstance(document, dict) and document.get("file_id"):
        content_type = str(document.get("mime_type") or "application/octet-stream")
        name = _safe_file_name(str(document.get("file_name") or ""))
        if not name:
            extension = mimetypes.guess_extension(content_type) or ""
            name = f"document-{document.get('file_unique_id', 'file')}{extension}"
        files.append(
            TelegramFile(
                file_id=str(document["file_id"]),
                name=name,
                size=int(document.get("file_size") or 0),
                content_type=content_type,
            )
        )
    return files


def parse(payload: dict[str, Any]) -> Incoming | None:
    """The message or button press of an update; None for anything else."""
    query = payload.get("callback_query")
    if isinstance(query, dict):
        pressed = query.get("message") or {}
        chat = pressed.get("chat") or {}
        sender = query.get("from") or {}
        if not chat.get("id"):
            return None
        message_id = pressed.get("message_id")
        return Incoming(
            chat_id=int(chat["id"]),
            private=chat.get("type") == "private" and not sender.get("is_bot"),
            language=_language(sender.get("language_code")),
            sender_name=_sender_name(sender),
            callback_id=str(query.get("id") or ""),
            callback_data=str(query.get("data") or "")[:64],
            callback_message_id=message_id if isinstance(message_id, int) else None,
        )
    message = payload.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if not chat.get("id"):
        return None
    reply = message.get("reply_to_message") or {}
    return Incoming(
        chat_id=int(chat["id"]),
        private=chat.get("type") == "private" and not sender.get("is_bot"),
        language=_language(sender.get("language_code")),
        sender_name=_sender_name(sender),
        text=str(message.get("text") or message.get("caption") or ""),
        files=_files(message),
        unsupported=any(key in message for key in UNSUPPORTED),
        reply_to=reply.get("message_id") if isinstance(reply, dict) else None,
    )
