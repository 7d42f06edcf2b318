"""Mail in: each message as it arrived, and auto-replies (the e-mail outbox is `outbox`)."""

from __future__ import annotations

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import (
    Message,
    Ticket,
)


def inbound_email_path(instance: InboundEmail, filename: str) -> str:
    # Named by content hash: the sender's Message-ID or subject never reaches the disk.
    return f"inbound-email/{now():%Y/%m}/{instance.sha256}.eml"


class InboundEmailQuerySet(models.QuerySet["InboundEmail"]):
    def waiting_for_staff(self, at: datetime.datetime) -> InboundEmailQuerySet:
        """Held or failed mail, and mail stored but still unprocessed long after
        it came (the database failed under it every time it was tried)."""
        return self.filter(
            Q(status__in=[InboundEmail.Status.HELD, InboundEmail.Status.FAILED])
            | Q(
                status=InboundEmail.Status.RECEIVED,
                created_at__lt=at - InboundEmail.STUCK_AFTER,
            )
        )


class InboundEmail(models.Model):
    """One e-mail as it arrived, stored before it is parsed, and what became of it."""

    # The pipeline and the MTA's or poller's retries have had their chance.
    STUCK_AFTER = datetime.timedelta(minutes=15)

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        PROCESSED = "processed", _("Processed")
        HELD = "held", _("Held for staff")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        IMAP = "imap", _("IMAP mailbox")
        PIPE = "pipe", _("Mail server pipe")
        FILE = "file", _("Mailbox file")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    raw = models.FileField(
        _("raw message"), upload_to=inbound_email_path, max_length=200
    )
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.RECEIVED
    )
    # A stable code for tests and filters, and the sentence staff read.
    reason_code = models.CharField(max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    ticket_message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    created_at = models.DateTimeField(_("received"), default=now, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # The raw message was deleted (`privacy`: retention or erasure); `raw`
    # is then empty and the row stays, with what became of the mail.
    raw_removed_at = models.DateTimeField(
        _("raw message removed"), null=True, blank=True
    )

    objects = InboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same Message-ID fed twice is the same message (idempotent ingest).
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="inbound_email_unique_message_id",
            ),
        ]
        indexes = [
            # The staff page: held and failed mail, newest first.
            models.Index(
                fields=["status", "-created_at"], name="inbound_status_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class AutoReply(models.Model):
    """An automatic answer sent to an address on a day: at most one per day."""

    address = models.CharField(max_length=254)
    sent_on = models.DateField()
    inbound = models.ForeignKey(
        InboundEmail, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "sent_on"], name="auto_reply_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.sent_on}"
