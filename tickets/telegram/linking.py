"""Linking a Telegram chat to a contact by a one-time deep link.

The contact asks for a link on their profile page; it opens
`https://t.me/<bot>?start=<token>`, and Telegram sends the bot
`/start <token>`. Only the token's hash is stored; it works once, within
`TOKEN_LIFETIME`, and a newer token voids the older ones.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.models import TelegramLink, TelegramLinkToken
from tickets.telegram import outbox

TOKEN_LIFETIME = datetime.timedelta(minutes=15)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_link(user: User, organisation_id: int | None = None) -> bool:
    """Customers' contacts who may act (`User.may_act`) use the bot; staff
    work in the portal."""
    return not user.is_staff and user.may_act(organisation_id)


@transaction.atomic
def issue_token(user: User) -> str:
    """A new one-time token for the user (older unused ones stop working)."""
    TelegramLinkToken.objects.filter(user=user, used_at=None).delete()
    # 32 characters of A-Z a-z 0-9 _ -: what a Telegram start parameter allows.
    token = secrets.token_urlsafe(24)
    TelegramLinkToken.objects.create(
        user=user, token_hash=_hash(token), expires_at=now() + TOKEN_LIFETIME
    )
    return token


def token_is_usable(user: User, token: str) -> bool:
    return (
        TelegramLinkToken.objects.usable()
        .filter(user=user, token_hash=_hash(token))
        .exists()
    )


def deep_link(token: str) -> str:
    return (
        f"https://t.me/{settings.TELEGRAM_BOT_USERNAME}?{urlencode({'start': token})}"
    )


@transaction.atomic
def link_chat(token: str, *, chat_id: int, telegram_name: str) -> TelegramLink | None:
    """Link the chat to the token's contact, using the token up; None if it is not usable.

    A chat belongs to one contact and a contact has one chat: linking
    replaces another contact's link of the chat, and moves the contact's own.
    """
    found = (
        TelegramLinkToken.objects.select_for_update()
        .usable()
        .filter(token_hash=_hash(token))
        .select_related("user")
        .first()
    )
    if found is None or not can_link(found.user):
        return None
    found.used_at = now()
    found.save(update_fields=["used_at"])
    TelegramLink.objects.filter(chat_id=chat_id).exclude(user=found.user).delete()
    # The contact's own link is moved, not replaced: the tickets they follow
    # in Telegram are remembered by it.
    link, _created = TelegramLink.objects.update_or_create(
        user=found.user,
        defaults={
            "chat_id": chat_id,
            "telegram_name": telegram_name[:300],
            "conversation": {},
            "linked_at": now(),
        },
    )
    return link


def linked_user(chat_id: int) -> tuple[TelegramLink | None, User | None]:
    """The chat's link and its contact, if the contact may still use the bot.

    A link whose contact may no longer (`can_link`) is deleted, and the chat
    told why: then the deleted link comes back without a user."""
    link = (
        TelegramLink.objects.select_for_update(of=("self",))
        .select_related("user__membership")
        .filter(chat_id=chat_id)
        .first()
    )
    if link is None:
        return None, None
    if not can_link(link.user):
        _forget(link, closed=True)
        return link, None
    return link, link.user


@transaction.atomic
def unlink(user: User) -> bool:
    """Forget the user's chat, telling it so; False when none was linked."""
    link = TelegramLink.objects.filter(user=user).first()
    if link is None:
        return False
    _forget(link, closed=False)
    return True


def _forget(link: TelegramLink, *, closed: bool) -> None:
    """Delete the link and tell the chat why, in its contact's language."""
    user = link.user
    chat_id = link.chat_id
    link.delete()
    if not settings.TELEGRAM_BOT_TOKEN:
        return
    with translation.override(user.language):
        if closed:
            text = _(
                "This chat is no longer linked to %(email)s: the account no "
                "longer has access to support. If this is a mistake, ask your "
                "organisation's manager."
            )
        else:
            text = _(
                "This chat is no longer linked to %(email)s. Tickets cannot be "
                "filed or read here until it is linked again."
            )
        outbox.queue(chat_id, text % {"email": user.email})
