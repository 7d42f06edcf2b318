"""The webhook: only Telegram (the secret) gets in; each update is kept, then processed once."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils.timezone import now

from tests.tickets.telegram.conftest import SECRET, WEBHOOK, file_ticket
from tickets.models import Message, TelegramUpdate
from tickets.telegram.updates import receive, telegram_catch_up

pytestmark = pytest.mark.django_db


def test_without_a_bot_token_the_webhook_is_not_there(client, settings) -> None:
    settings.TELEGRAM_BOT_TOKEN = ""

    response = client.post(
        WEBHOOK,
        data=json.dumps({"update_id": 1}),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )

    assert response.status_code == 404
    assert not TelegramUpdate.objects.exists()


@pytest.mark.parametrize("secret", ["", "webhook-secret_43", SECRET + "x"])
def test_a_wrong_or_missing_secret_is_refused(telegram, bot_api, secret) -> None:
    chat = telegram()

    response = chat.post(chat.message(text="/start"), secret=secret)

    assert response.status_code == 403
    assert not TelegramUpdate.objects.exists()
    assert bot_api.calls == []


def test_without_a_configured_secret_nothing_gets_in(
    telegram, bot_api, settings
) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    chat = telegram()

    assert chat.post(chat.message(text="/start"), secret="").status_code == 403
    assert not TelegramUpdate.objects.exists()


def test_only_post_is_accepted(client, bot_api) -> None:
    assert client.get(WEBHOOK).status_code == 405


def test_a_body_that_is_not_an_update_is_refused(client, bot_api) -> None:
    response = client.post(
        WEBHOOK,
        data="not json",
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )

    assert response.status_code == 400
    assert not TelegramUpdate.objects.exists()


def test_an_update_is_kept_answered_200_and_processed(telegram, bot_api) -> None:
    chat = telegram()
    update = chat.message(text="/help")

    response = chat.post(update)

    assert response.status_code == 200
    stored = TelegramUpdate.objects.get()
    assert stored.update_id == update["update_id"]
    assert stored.payload == update
    assert stored.chat_id == chat.chat_id
    assert stored.status == TelegramUpdate.Status.PROCESSED
    assert len(chat.replies()) == 1


def test_a_repeated_update_id_is_processed_once(customer_chat, customer) -> None:
    ticket_reference = file_ticket(customer_chat).reference
    customer_chat.press(f"reply:{ticket_reference}")
    update = customer_chat.message(text="Ещё одна подробность")
    answers_before = len(customer_chat.replies())

    first = customer_chat.post(update)
    second = customer_chat.post(update)

    assert first.status_code == second.status_code == 200
    assert TelegramUpdate.objects.filter(update_id=update["update_id"]).count() == 1
    assert Message.objects.filter(body="Ещё одна подробность").count() == 1
    assert len(customer_chat.replies()) == answers_before + 1


def test_group_chats_are_ignored(telegram, bot_api) -> None:
    chat = telegram()
    update = chat.message(text="/list")
    update["message"]["chat"] = {"id": -100500, "type": "group", "title": "Офис"}

    chat.post(update)

    assert TelegramUpdate.objects.get().status == TelegramUpdate.Status.IGNORED
    assert bot_api.calls == []


def test_an_update_whose_task_was_lost_is_processed_by_the_catch_up(
    telegram, bot_api, django_capture_on_commit_callbacks
) -> None:
    chat = telegram()
    # The broker lost the task: the commit callbacks never run.
    with django_capture_on_commit_callbacks(execute=False):
        update, created = receive(chat.message(text="/help"))
    assert created
    TelegramUpdate.objects.filter(pk=update.pk).update(
        created_at=now() - datetime.timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        telegram_catch_up()

    update.refresh_from_db()
    assert update.status == TelegramUpdate.Status.PROCESSED
    assert len(chat.replies()) == 1


def test_a_photo_that_cannot_be_fetched_while_telegram_is_down_is_fetched_later(
    customer_chat, bot_api, django_capture_on_commit_callbacks
) -> None:
    customer_chat.press("new")
    customer_chat.send("Ошибка при печати")
    bot_api.files["shot"] = b"\xff\xd8 screenshot \xff\xd9"
    customer_chat.send("Текст ошибки на снимке", photo="shot")
    bot_api.fail_with = 502

    customer_chat.press("send")

    pressed = TelegramUpdate.objects.order_by("update_id").last()
    assert pressed.status == TelegramUpdate.Status.RECEIVED
    assert not Message.objects.exists()

    bot_api.fail_with = None
    TelegramUpdate.objects.filter(pk=pressed.pk).update(
        created_at=now() - datetime.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        telegram_catch_up()

    pressed.refresh_from_db()
    assert pressed.status == TelegramUpdate.Status.PROCESSED
    message = Message.objects.get()
    assert message.attachments.get().size == len(bot_api.files["shot"])
