"""A tiny client for the few Telegram Bot API methods the bot uses.

Two kinds of failure: `TelegramUnavailable` (an `OSError`: no connection,
a timeout, 5xx, 429) is worth retrying; `BotApiError` (Telegram understood
and refused: the user blocked the bot, a bad parameter) is final.
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from django.conf import settings

TIMEOUT_SECONDS = 30
# getFile serves bots files of at most 20 MB.
DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024
# One message holds at most 4096 characters.
MESSAGE_MAX_CHARS = 4096
# A file's caption, at most 1024.
CAPTION_MAX_CHARS = 1024
# A bot uploads files of at most 50 MB, photos of at most 10 MB.
UPLOAD_MAX_BYTES = 50 * 1024 * 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024
# What sendPhoto takes; other images go as documents.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})


class TelegramUnavailable(OSError):
    """Telegram could not be reached or asked to try later."""


class BotApiError(Exception):
    """Telegram refused the call; trying again will not help."""


def _base() -> str:
    if not settings.TELEGRAM_BOT_TOKEN:
        raise BotApiError("TELEGRAM_BOT_TOKEN is not set.")
    return settings.TELEGRAM_API_URL.rstrip("/")


def call(method: str, **params: Any) -> Any:
    """POST one method with JSON parameters; its `result`."""
    return _post(method, json.dumps(params).encode(), "application/json")


def upload(
    method: str,
    *,
    field: str,
    name: str,
    content: bytes,
    content_type: str,
    **params: Any,
) -> Any:
    """POST one method with a file in `field` (sendDocument's "document",
    sendPhoto's "photo") as multipart/form-data; its `result`."""
    boundary = secrets.token_hex(16)
    # A name cannot close its quotes or the header.
    quoted = re.sub(r'["\\\r\n]', "_", name)
    parts = []
    for key, value in params.items():
        # Objects (reply_markup…) go as JSON, as the Bot API reads them.
        text = value if isinstance(value, str) else json.dumps(value)
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
            f"{text}\r\n".encode()
        )
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="{field}"; filename="{quoted}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    body = b"".join([*parts, content, f"\r\n--{boundary}--\r\n".encode()])
    return _post(method, body, f"multipart/form-data; boundary={boundary}")


def _post(method: str, data: bytes, content_type: str) -> Any:
    request = urllib.request.Request(
        f"{_base()}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}",
        data=data,
        headers={"Content-Type": content_type},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            body = error.read()
        if error.code == 429 or error.code >= 500:
            raise TelegramUnavailable(f"{method}: HTTP {error.code}") from error
        raise BotApiError(
            f"{method}: HTTP {error.code} {_description(body)}"
        ) from error
    except (TimeoutError, urllib.error.URLError) as error:
        raise TelegramUnavailable(f"{method}: {error}") from error
    except ValueError as error:
        raise TelegramUnavailable(f"{method}: not JSON") from error
    if not answer.get("ok"):
        raise BotApiError(f"{method}: {answer.get('description', answer)}")
    return answer.get("result")


def _description(body: bytes) -> str:
    try:
        return str(json.loads(body).get("description", ""))
    except (ValueError, AttributeError):
        return ""


def get_file(file_id: str) -> dict:
    return call("getFile", file_id=file_id)


def download(file_path: str, *, max_bytes: int = DOWNLOAD_MAX_BYTES) -> bytes:
    """The bytes of a file `get_file` gave the path of; refused above `max_bytes`."""
    url = f"{_base()}/file/bot{settings.TELEGRAM_BOT_TOKEN}/{quote(file_path)}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 429 or error.code >= 500:
            raise TelegramUnavailable(f"download: HTTP {error.code}") from error
        raise BotApiError(f"download: HTTP {error.code}") from error
    except (TimeoutError, urllib.error.URLError) as error:
        raise TelegramUnavailable(f"download: {error}") from error
    if len(data) > max_bytes:
        raise BotApiError("download: the file is larger than allowed")
    return data


def set_webhook(url: str, secret_token: str) -> bool:
    return call(
        "setWebhook",
        url=url,
        secret_token=secret_token,
        allowed_updates=["message", "callback_query"],
    )
