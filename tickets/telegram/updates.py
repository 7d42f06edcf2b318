"""Updates from Telegram: kept first, then processed once.

1. `receive()` (the webhook) keeps the update as Telegram posted it and asks
   a worker to process it after commit; the same update_id again is a repeat
   and changes nothing.
2. `process()` handles a stored update once, in one transaction with its new
   status:
   - `/start <token>` links the chat to a contact (`tickets.telegram.linking`);
   - a chat that is not linked only hears how to link it;
   - a linked contact talks to a `Dialogue` (`tickets.telegram.conversation`)
     in the contact's language.
   Answers go to the outbox (`tickets.telegram.outbox`) and leave after commit.
   If Telegram is down while a file is fetched, everything rolls back and the
   update is processed again (the task's retry, then `process_pending`).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _

from tickets.models import TelegramUpdate
from tickets.telegram import bot_api, linking, outbox
from tickets.telegram.conversation import Dialogue, site_url
from tickets.telegram.incoming import Incoming, parse

logger = logging.getLogger(__name__)


def receive(payload: dict[str, Any]) -> tuple[TelegramUpdate, bool]:
    """Keep the update, then process it after commit; (row, False) for a repeat."""
    try:
        incoming = parse(payload)
    except (AttributeError, KeyError, TypeError, ValueError):
        incoming = None  # recorded as it came; processing records the failure
    update, created = TelegramUpdate.objects.get_or_create(
        update_id=int(payload["update_id"]),
        defaults={
            "payload": payload,
            "chat_id": incoming.chat_id if incoming else None,
        },
    )
    if created:
        # Robust: with the broker down the update is kept all the same, and
        # the catch-up task processes it.
        def process_after_commit() -> None:  # named: Django logs failures by name
            process_telegram_update.delay(update.pk)

        transaction.on_commit(process_after_commit, robust=True)
    return update, created


def process(update: TelegramUpdate) -> TelegramUpdate:
    """Handle a received update once; a failure is recorded, Telegram being down is retried."""
    with transaction.atomic():
        update = TelegramUpdate.objects.select_for_update().get(pk=update.pk)
        if update.status != TelegramUpdate.Status.RECEIVED:
            return update
        status, error = TelegramUpdate.Status.PROCESSED, ""
        try:
            # A savepoint: an error undoes the ticket change, not the record of it.
            with transaction.atomic():
                if not _route(update.payload):
                    status = TelegramUpdate.Status.IGNORED
        except bot_api.TelegramUnavailable:
            raise
        except Exception as exception:
            logger.exception("Telegram update %s could not be processed", update.pk)
            status = TelegramUpdate.Status.FAILED
            error = f"{type(exception).__name__}: {exception}"[:1000]
            # Private chats have positive ids; groups are never answered.
            if update.chat_id is not None and update.chat_id > 0:
                outbox.queue(
                    update.chat_id,
                    _(
                        "Sorry, something went wrong and your message was not "
                        "processed. Please try again later or write to %(email)s."
                    )
                    % {"email": settings.SUPPORT_EMAIL},
                )
        update.status = status
        update.error = error
        update.processed_at = now()
        update.save(update_fields=["status", "error", "processed_at"])
        return update


def process_pending() -> int:
    """Process updates whose task was lost or failed while Telegram was down."""
    cutoff = now() - datetime.timedelta(minutes=1)
    pending = TelegramUpdate.objects.filter(
        status=TelegramUpdate.Status.RECEIVED, created_at__lt=cutoff
    ).order_by("update_id")
    processed = 0
    for update in pending[:500]:
        try:
            process(update)
        except OSError:
            break  # Telegram is down: the next run tries again
        processed += 1
    return processed


def _route(payload: dict[str, Any]) -> bool:
    """Answer one update; False when it is nothing for the bot (groups, edits, bots)."""
    incoming = parse(payload)
    if incoming is None or not incoming.private:
        return False
    if incoming.callback_id:
        outbox.queue_callback_answer(incoming.chat_id, incoming.callback_id)
    command, argument = incoming.command()
    if command == "/start" and argument:
        _link(incoming, argument)
        return True
    link, user = linking.linked_user(incoming.chat_id)
    if link is not None and user is None:
        return True  # the link was closed just now, and the chat told why
    if link is None or user is None:
        with translation.override(incoming.language):
            outbox.queue(
                incoming.chat_id,
                _(
                    "This chat is not linked to a support account yet. Sign in at "
                    "%(url)s, press “Connect Telegram” and open the link it gives you."
                )
                % {"url": site_url("tickets:telegram")},
            )
        return True
    with translation.override(user.language):
        Dialogue(link, user, incoming).handle()
    return True


def _link(incoming: Incoming, token: str) -> None:
    link = linking.link_chat(
        token, chat_id=incoming.chat_id, telegram_name=incoming.sender_name
    )
    if link is None:
        with translation.override(incoming.language):
            outbox.queue(
                incoming.chat_id,
                _(
                    "This link has expired or has already been used. "
                    "Get a new one at %(url)s."
                )
                % {"url": site_url("tickets:telegram")},
            )
        return
    user = link.user
    with translation.override(user.language):
        dialogue = Dialogue(link, user, incoming)
        dialogue.say(
            _("This chat is now linked to %(name)s (%(email)s).")
            % {"name": user.get_full_name(), "email": user.email}
            + "\n\n"
            + dialogue.help_text(),
            buttons=dialogue.menu_buttons(),
        )


# A download from Telegram that failed is an OSError: the update stays
# received and is processed again.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def process_telegram_update(update_pk: int) -> str:
    update = TelegramUpdate.objects.filter(pk=update_pk).first()
    return process(update).status if update is not None else ""


@shared_task
def telegram_catch_up() -> int:
    """Updates and messages whose task was lost, or waited for Telegram to come back."""
    return process_pending() + outbox.send_unsent()
