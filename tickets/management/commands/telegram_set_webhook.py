"""Tell Telegram where to post the bot's updates, with the secret it must send."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from tickets.telegram import bot_api
from tickets.telegram.conversation import command_descriptions


class Command(BaseCommand):
    help = (
        "Register TELEGRAM_WEBHOOK_URL with Telegram (setWebhook) together with "
        "TELEGRAM_WEBHOOK_SECRET."
    )

    def handle(self, *args: object, **options: object) -> None:
        missing = [
            name
            for name in (
                "TELEGRAM_BOT_TOKEN",
                "TELEGRAM_WEBHOOK_SECRET",
                "TELEGRAM_WEBHOOK_URL",
            )
            if not getattr(settings, name)
        ]
        if missing:
            raise CommandError(f"Set {', '.join(missing)} first (see .env.example).")
        if not settings.TELEGRAM_WEBHOOK_URL.startswith("https://"):
            raise CommandError(
                "Telegram posts updates to HTTPS addresses only: "
                f"TELEGRAM_WEBHOOK_URL is {settings.TELEGRAM_WEBHOOK_URL}."
            )
        try:
            bot_api.set_webhook(
                settings.TELEGRAM_WEBHOOK_URL, settings.TELEGRAM_WEBHOOK_SECRET
            )
            self._set_commands()
        except (bot_api.BotApiError, OSError) as error:
            raise CommandError(f"Telegram refused: {error}") from error
        self.stdout.write(
            f"Telegram will post updates to {settings.TELEGRAM_WEBHOOK_URL}."
        )

    def _set_commands(self) -> None:
        """The menu of commands Telegram shows, per language; the site's language
        for everyone else."""
        for language, _name in [(None, ""), *settings.LANGUAGES]:
            with translation.override(language or settings.LANGUAGE_CODE):
                commands = [
                    {"command": name, "description": description[:256]}
                    for name, _reference, description in command_descriptions()
                ]
            params = {"language_code": language} if language else {}
            bot_api.call("setMyCommands", commands=commands, **params)
