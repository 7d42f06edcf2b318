from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.tickets.conftest import shipped_calendar  # noqa: F401 (a fixture)
from tests.tickets.telegram.fake_bot_api import FakeBotApi, serve
from tickets.models import TelegramLink, Ticket
from tickets.services import add_message
from tickets.telegram import linking

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret_42"
WEBHOOK = "/telegram/webhook/"

_update_ids = itertools.count(1000)
_message_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bot_api(settings) -> Iterator[FakeBotApi]:
    """The fake Bot API, and the bot configured to use it."""
    fake = FakeBotApi(token=TOKEN)
    server = serve(fake)
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.TELEGRAM_API_URL = fake.url
    settings.TELEGRAM_BOT_USERNAME = "helpdesk_test_bot"
    settings.TELEGRAM_WEBHOOK_URL = "https://support.example.com/telegram/webhook/"
    yield fake
    server.shutdown()
    server.server_close()


class TelegramChat:
    """A person in a private chat with the bot: what they type reaches the webhook."""

    def __init__(
        self,
        bot_api: FakeBotApi,
        capture,
        chat_id: int,
        *,
        language: str = "ru",
        first_name: str = "Анна",
    ) -> None:
        self.bot_api = bot_api
        self.capture = capture
        self.chat_id = chat_id
        self.sender = {
            "id": chat_id,
            "is_bot": False,
            "first_name": first_name,
            "username": f"user{chat_id}",
            "language_code": language,
        }
        self.client = Client()

    def post(self, update: dict[str, Any], *, secret: str = SECRET):
        with self.capture(execute=True):
            return self.client.post(
                WEBHOOK,
                data=json.dumps(update),
                content_type="application/json",
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            )

    def message(self, **fields: Any) -> dict[str, Any]:
        return {
            "update_id": next(_update_ids),
            "message": {
                "message_id": next(_message_ids),
                "from": self.sender,
                "chat": {"id": self.chat_id, "type": "private"},
                "date": 1_700_000_000,
                **fields,
            },
        }

    def send(
        self,
        text: str | None = None,
        *,
        reply_to: int | None = None,
        photo: str | None = None,
        document: tuple[str, str] | None = None,
        size: int | None = None,
    ):
        """Write text; attach a photo (file_id) or a document ((file_id, name))."""
        fields: dict[str, Any] = {}
        if text is not None:
            fields["caption" if photo or document else "text"] = text
        if reply_to is not None:
            fields["reply_to_message"] = {
                "message_id": reply_to,
                "chat": {"id": self.chat_id, "type": "private"},
            }
        if photo is not None:
            length = size if size is not None else len(self.bot_api.files[photo])
            fields["photo"] = [
                {
                    "file_id": f"{photo}-small",
                    "file_unique_id": "s",
                    "file_size": 99,
                    "width": 90,
                    "height": 60,
                },
                {
                    "file_id": photo,
                    "file_unique_id": f"u{photo}",
                    "file_size": length,
                    "width": 1280,
                    "height": 853,
                },
            ]
        if document is not None:
            file_id, name = document
            length = size if size is not None else len(self.bot_api.files[file_id])
            fields["document"] = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": name,
                "mime_type": "application/octet-stream",
                "file_size": length,
            }
        return self.post(self.message(**fields))

    def press(self, data: str, *, message_id: int | None = None):
        """Press an inline button whose callback data is `data`, under the
        bot's message `message_id` if given."""
        return self.post(
            {
                "update_id": next(_update_ids),
                "callback_query": {
                    "id": f"cb{next(_message_ids)}",
                    "from": self.sender,
                    "message": {
                        "message_id": message_id or next(_message_ids),
                        "chat": {"id": self.chat_id, "type": "private"},
                        "date": 1_700_000_000,
                    },
                    "chat_instance": "x",
                    "data": data,
                },
            }
        )

    def replies(self) -> list[str]:
        return self.bot_api.texts(self.chat_id)

    def last(self) -> dict[str, Any]:
        return self.bot_api.last(self.chat_id)

    def buttons(self) -> list[str]:
        """The callback data of the last message's buttons."""
        markup = self.last().get("reply_markup") or {}
        return [
            button["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]


@pytest.fixture
def telegram(bot_api, django_capture_on_commit_callbacks):
    """Make a chat: telegram(chat_id, language=..., first_name=...)."""

    def make(chat_id: int = 777001, **kwargs: Any) -> TelegramChat:
        return TelegramChat(
            bot_api, django_capture_on_commit_callbacks, chat_id, **kwargs
        )

    return make


@pytest.fixture
def reply(agent, django_capture_on_commit_callbacks):
    """Support replies (or notes), and the bot's messages about it are sent."""

    def write(ticket: Ticket, body: str, **kwargs: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            add_message(ticket, author=agent, body=body, **kwargs)

    return write


def link(chat: TelegramChat, user: User) -> TelegramLink:
    """Link the chat as the contact would: a token from the page, /start in Telegram."""
    token = linking.issue_token(user)
    chat.send(f"/start {token}")
    return TelegramLink.objects.get(user=user)


@pytest.fixture
def customer_chat(telegram, customer, active_licence) -> TelegramChat:
    """The customer (organisation A's manager, one active licence), linked."""
    chat = telegram(777001)
    link(chat, customer)
    return chat


def file_ticket(
    chat: TelegramChat, subject: str = "Тема", body: str = "Описание"
) -> Ticket:
    """File a ticket in the chat of a contact with one active licence."""
    chat.press("new")
    chat.send(subject)
    chat.send(body)
    chat.press("send")
    return Ticket.objects.latest("pk")
