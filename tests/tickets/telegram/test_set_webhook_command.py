"""`manage.py telegram_set_webhook` registers the webhook URL and secret with Telegram."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.tickets.telegram.conftest import SECRET


def test_it_registers_the_url_with_the_secret_and_the_command_menu(bot_api) -> None:
    out = StringIO()

    call_command("telegram_set_webhook", stdout=out)

    webhook, *menus = bot_api.calls
    assert webhook.method == "setWebhook"
    assert webhook.params["url"] == "https://support.example.com/telegram/webhook/"
    assert webhook.params["secret_token"] == SECRET
    assert set(webhook.params["allowed_updates"]) == {"message", "callback_query"}
    assert [m.method for m in menus] == ["setMyCommands"] * 3
    assert [m.params.get("language_code") for m in menus] == [None, "ru", "en"]
    english = {c["command"]: c["description"] for c in menus[2].params["commands"]}
    assert english["new"] == "file a new ticket"
    assert set(english) == {"new", "list", "show", "reply", "hours", "cancel"}
    assert "https://support.example.com/telegram/webhook/" in out.getvalue()


@pytest.mark.parametrize("missing", ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"])
def test_missing_settings_are_named(bot_api, settings, missing) -> None:
    setattr(settings, missing, "")

    with pytest.raises(CommandError, match=missing):
        call_command("telegram_set_webhook")
    assert bot_api.calls == []


def test_telegram_only_posts_to_https(bot_api, settings) -> None:
    settings.TELEGRAM_WEBHOOK_URL = "http://support.example.com/telegram/webhook/"

    with pytest.raises(CommandError, match="HTTPS"):
        call_command("telegram_set_webhook")
    assert bot_api.calls == []


@pytest.mark.parametrize("status", [400, 502])
def test_a_refusal_is_an_error(bot_api, status) -> None:
    bot_api.fail_with = status

    with pytest.raises(CommandError, match="Telegram refused"):
        call_command("telegram_set_webhook")
