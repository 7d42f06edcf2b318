"""A tiny client for the few Telegram Bot API methods the bot uses.

Two kinds of failure: `TelegramUnavailable` (an `OSError`: no connection,
a timeout, 5xx, 429) is worth retrying; `BotApiError` (Telegram understood
and refused: the user blocked the bot, a bad parameter) is final.
"""

from __future__ import annotations

import json
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
    request = urllib.request.Request(
        f"{_base()}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}",
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"},
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
