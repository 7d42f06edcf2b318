"""The outbox rows: one claim-and-sweep mechanism, and the e-mail outbox table."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

# A claim older than this belongs to a worker that died mid-send: longer than
# the tasks' hard time limit and the SMTP timeout (EMAIL_TIMEOUT), so a sender
# still alive has finished or given up by then.
STALE_CLAIM = datetime.timedelta(minutes=10)

# A row younger than this still has its own task on the way; the sweeper leaves it.
SWEEP_AFTER = datetime.timedelta(minutes=1)


class OutboxQuerySet(models.QuerySet):
    """Claim, release, mark sent: the only writers of an outbox row's send state.

    Chain a filter before `claim()` to narrow what may be claimed (Telegram
    skips rows refused for good).
    """

    def claim(self, pk: int, *, stale: datetime.timedelta = STALE_CLAIM) -> bool:
        """Take the unsent row for this worker; False when it is sent or another
        worker holds a claim younger than `stale` (an outbox whose sends are
        bounded more tightly than SMTP's may take a dead worker's rows sooner)."""
        moment = now()
        claimed = (
            self.filter(pk=pk, sent_at=None)
            .filter(Q(claimed_at=None) | Q(claimed_at__lt=moment - stale))
            # Counted as it starts, so an attempt whose worker died counts too.
            .update(claimed_at=moment, attempts=F("attempts") + 1)
        )
        return claimed == 1

    def release(self, pk: int, error: BaseException | str) -> None:
        """Give the claim back after a failed send, so a retry or the sweeper may take it."""
        self.filter(pk=pk).update(claimed_at=None, last_error=str(error)[:1000])

    def mark_sent(self, pk: int, **fields: object) -> None:
        self.filter(pk=pk).update(sent_at=now(), last_error="", **fields)

    def due_for_sweep(self) -> OutboxQuerySet:
        """Unsent rows old enough that their own task was lost or failed."""
        return self.filter(sent_at=None, created_at__lt=now() - SWEEP_AFTER)


class OutboxRow(models.Model):
    """What every outbox row has: when it was written, claimed and sent, and how it went."""

    created_at = models.DateTimeField(default=now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        abstract = True


class OutgoingEmail(OutboxRow):
    """An e-mail, written with the change it tells of, sent once after commit."""

    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    message_id = models.CharField(max_length=255, db_index=True)
    # The ticket the mail is about, if any: a plain id, so the outbox needs no
    # ticket model (account mail has none).
    ticket_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["pk"]
        indexes = [
            # The sweeper: unsent rows.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at=None),
                name="outgoing_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.to)}: {self.subject}"
