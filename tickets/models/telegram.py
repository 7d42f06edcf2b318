"""The Telegram bot's links to contacts, updates as they came, and its outbox."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from outbox.models import OutboxQuerySet, OutboxRow
from tickets.models.ticket import (
    Attachment,
    Ticket,
)


class TelegramLink(models.Model):
    """A contact's Telegram chat: the bot files and shows tickets in linked chats only."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="telegram_link",
        verbose_name=_("contact"),
    )
    chat_id = models.BigIntegerField(_("chat"), unique=True)
    # The account's name as Telegram gives it, so the contact recognises it.
    telegram_name = models.CharField(_("Telegram account"), max_length=300, blank=True)
    # Where the dialogue with the bot stands (`tickets.telegram.conversation`).
    conversation = models.JSONField(default=dict, blank=True)
    linked_at = models.DateTimeField(_("linked"), default=now)

    class Meta:
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.chat_id}"


class TelegramLinkTokenQuerySet(models.QuerySet["TelegramLinkToken"]):
    def usable(self) -> TelegramLinkTokenQuerySet:
        return self.filter(used_at=None, expires_at__gt=now())


class TelegramLinkToken(models.Model):
    """A one-time deep link that links a chat to a contact; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = TelegramLinkTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class TelegramUpdate(models.Model):
    """One update as Telegram posted it, stored before it is processed."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    # Telegram numbers updates; the same number again is a repeat delivery.
    update_id = models.BigIntegerField(unique=True)
    payload = models.JSONField()
    chat_id = models.BigIntegerField(_("chat"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.RECEIVED
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("received"), default=now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram update")
        verbose_name_plural = _("Telegram updates")
        ordering = ["-update_id"]
        indexes = [
            # The catch-up task: updates whose processing task was lost.
            models.Index(
                fields=["created_at"],
                condition=Q(status="received"),
                name="telegram_update_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.update_id} ({self.get_status_display()})"


class OutgoingTelegramMessage(OutboxRow):
    """The bot's outbox, and afterwards which sent message is about which ticket.

    Claimed and swept as every outbox row (`outbox.models.OutboxRow`)."""

    class Method(models.TextChoices):
        SEND_MESSAGE = "sendMessage", "sendMessage"
        SEND_DOCUMENT = "sendDocument", "sendDocument"
        SEND_PHOTO = "sendPhoto", "sendPhoto"
        EDIT_MESSAGE_TEXT = "editMessageText", "editMessageText"
        ANSWER_CALLBACK_QUERY = "answerCallbackQuery", "answerCallbackQuery"

    chat_id = models.BigIntegerField(_("chat"))
    method = models.CharField(max_length=32, choices=Method)
    # The Bot API parameters of the call.
    payload = models.JSONField(default=dict)
    link = models.ForeignKey(
        TelegramLink,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_messages",
    )
    # The ticket the message is about: a reply to it in Telegram joins the
    # ticket, and the contact then hears of support's replies there.
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="telegram_messages",
    )
    # The file a sendDocument or sendPhoto row uploads when it is sent (the
    # payload holds the other parameters). A file deleted before it was sent
    # has nothing left to send: its rows go with it.
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    # Telegram refused it for good (the user blocked the bot, the chat is gone).
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing Telegram message")
        verbose_name_plural = _("outgoing Telegram messages")
        ordering = ["pk"]
        constraints = [
            # A file upload carries its file; no other call has one.
            models.CheckConstraint(
                condition=Q(
                    method__in=["sendDocument", "sendPhoto"], attachment__isnull=False
                )
                | (
                    ~Q(method__in=["sendDocument", "sendPhoto"])
                    & Q(attachment__isnull=True)
                ),
                name="telegram_upload_has_file",
            ),
        ]
        indexes = [
            # A reply in Telegram names the message it answers.
            models.Index(
                fields=["chat_id", "telegram_message_id"], name="telegram_reply_lookup"
            ),
            # The catch-up task: unsent rows.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at=None, failed_at=None),
                name="telegram_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} → {self.chat_id}"
