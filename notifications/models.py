"""What staff are told (`Notification`), the tickets they follow (`Follow`)
and how each wants to be told (`Preferences`)."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.models import Ticket, TicketEvent


class NotificationQuerySet(models.QuerySet["Notification"]):
    def of(self, user: User) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)

    def newest_first(self) -> NotificationQuerySet:
        return self.order_by("-created_at", "-pk")

    def before(self, at: datetime.datetime, pk: int) -> NotificationQuerySet:
        """The notifications after (created_at, pk) in `newest_first` order:
        keyset paging, written as `Ticket.objects.active_before` is."""
        return self.filter(Q(created_at__lte=at), Q(created_at__lt=at) | Q(pk__lt=pk))

    def email_pending(self) -> NotificationQuerySet:
        """Wanted by e-mail and not yet sent."""
        return self.filter(emailed_at=None, email_due_at__isnull=False)

    def email_due(self, at: datetime.datetime) -> NotificationQuerySet:
        return self.email_pending().filter(email_due_at__lte=at)


class Notification(models.Model):
    """One thing told to one member of staff: in their list (unread until
    opened) and, if they want it, by e-mail (alone, or in a digest)."""

    class Kind(models.TextChoices):
        NEW_TICKET = "new_ticket", _("A new ticket in my group")
        CUSTOMER_REPLY = "customer_reply", _("A customer's message")
        ASSIGNED = "assigned", _("A ticket assigned to me")
        MENTION = "mention", _("A mention in an internal note")
        FOLLOWED = "followed", _("News of a ticket I follow")
        RULE = "rule", _("An automation rule's notice")
        LOW_RATING = "low_rating", _("A low satisfaction rating (supervisors)")
        # Never a row here: an e-mail alone (`EMAIL_ONLY`), listed among
        # the kinds so that the preferences page can turn it off.
        WEEKLY_REPORT = "weekly_report", _("The weekly report (supervisors)")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    # The change told of; none for a rule's notice (a rule may notify on a
    # clock, and two rules may notify of one event).
    event = models.ForeignKey(
        TicketEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    # One line in the recipient's language, as an e-mail would say it.
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created"), default=now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # None: not wanted by e-mail. Otherwise the e-mail goes at this moment or
    # later (quiet hours, a digest's window), once: `emailed_at`.
    email_due_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The list page: `of(user).newest_first()` and its keyset.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="notification_newest",
            ),
            # The header's count: `of(user).unread()`, newest first.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at=None),
                name="notification_unread",
            ),
            # The digests: `email_due(at)` for the beat task, and
            # `email_pending()` of one person.
            models.Index(
                fields=["recipient", "email_due_at"],
                condition=Q(emailed_at=None, email_due_at__isnull=False),
                name="notification_email_pending",
            ),
            # The last e-mail to a person (is a digest's window open?).
            models.Index(
                fields=["recipient", "-emailed_at"],
                condition=Q(emailed_at__isnull=False),
                name="notification_emailed",
            ),
        ]
        constraints = [
            # One notification of a change for a person, whatever the reasons.
            models.UniqueConstraint(
                fields=["recipient", "event"],
                condition=Q(event__isnull=False),
                name="notification_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.code])


# Kinds told by e-mail only, with no notification in the list: the
# preferences offer them by e-mail alone.
EMAIL_ONLY = frozenset({Notification.Kind.WEEKLY_REPORT})


class Follow(models.Model):
    """A member of staff hears of every public message, status change and
    assignment of the ticket."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    class Meta:
        verbose_name = _("followed ticket")
        verbose_name_plural = _("followed tickets")
        constraints = [
            # Also the index of "who follows this ticket".
            models.UniqueConstraint(
                fields=["ticket", "user"], name="follow_once_per_ticket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.ticket.reference}"


def _kinds() -> list[str]:
    return []


class Preferences(models.Model):
    """Which kinds a member of staff does not want in the app or by e-mail
    (absent: everything, both ways), and their quiet hours.

    Whether a customer's message to a ticket of theirs comes by e-mail is
    kept where it was before this app, in
    `tickets.models.NotificationSettings.on_customer_message`."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    # Kinds turned off, so a kind added later reaches everyone.
    muted_in_app = models.JSONField(_("not in the app"), default=_kinds, blank=True)
    muted_email = models.JSONField(_("not by e-mail"), default=_kinds, blank=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_to = models.TimeField(_("quiet until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_from=None, quiet_to=None)
                | Q(quiet_from__isnull=False, quiet_to__isnull=False),
                name="preferences_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def quiet_until(self, at: datetime.datetime) -> datetime.datetime | None:
        """When the quiet hours around `at` end, or None when `at` is not in
        them. The hours are Moscow time (`TIME_ZONE`); from 22:00 to 08:00
        runs over midnight."""
        start, end = self.quiet_from, self.quiet_to
        if start is None or end is None or start == end:
            return None
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local = at.astimezone(zone)
        moment, day = local.time(), local.date()
        if start < end:
            quiet = start <= moment < end
        else:
            quiet = moment >= start or moment < end
            if moment >= start:
                day += datetime.timedelta(days=1)
        return datetime.datetime.combine(day, end, tzinfo=zone) if quiet else None
