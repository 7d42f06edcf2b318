"""Telling staff of what concerns them, in the app and by e-mail.

1. `on_event` listens to the ticket events `tickets` publishes
   (`outbox.events`), inside the transaction of the change, and `tell_of`
   decides who is concerned: a new ticket its group's members; a customer's
   message the assignee (or the group's members while nobody has it); an
   assignment the new assignee; a mention in an internal note the agent
   named; any public message, status change or assignment the ticket's
   followers; a low satisfaction rating the supervisors (of the ticket's
   group when it has some, else all). Never the person who made the change.
2. `notify` writes one person's notification as they want it (`Preferences`):
   in their list, and by e-mail at once unless it is their quiet time or an
   e-mail went to them less than `DIGEST_WINDOW` ago; then it is held.
3. `send_due_emails` (beat) sends what is held and due, one e-mail a person:
   a digest when several are due. Rows are claimed under a lock, skipping
   those another worker holds, and marked sent in the same transaction.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import StaffRole, User
from notifications import unread
from notifications.models import Follow, Notification, Preferences
from outbox import email as email_outbox
from outbox.events import Event
from tickets import cached_lists
from tickets.models import (
    Message,
    NotificationSettings,
    SatisfactionRating,
    Ticket,
    TicketEvent,
)

# Notifications for one person within this long of an e-mail to them wait
# and go together, as one digest, when it has passed.
DIGEST_WINDOW = datetime.timedelta(minutes=5)
# How much of a message a notification keeps.
TEXT_LENGTH = 1000

Kind = Notification.Kind

# The kind that wins when a change concerns a person for several reasons.
_PRECEDENCE = [
    Kind.LOW_RATING,
    Kind.ASSIGNED,
    Kind.MENTION,
    Kind.CUSTOMER_REPLY,
    Kind.NEW_TICKET,
    Kind.FOLLOWED,
]

# "@" opening a mention: not inside an e-mail address or a word.
_MENTION = re.compile(r"(?<![\w.@])@")


def on_event(published: Event) -> None:
    if isinstance(published.source, TicketEvent):
        tell_of(published.source)


def tell_of(event: TicketEvent) -> list[Notification]:
    """Notify every member of staff the ticket event concerns, but its actor."""
    reasons = _reasons(event)
    reasons.pop(event.actor_id, None)
    if not reasons:
        return []
    people = (
        User.objects.filter(pk__in=reasons, is_active=True, is_staff=True)
        .select_related("notification_preferences", "notification_settings")
        .order_by("pk")
    )
    ticket = event.ticket
    told = []
    for person in people:
        kind = reasons[person.pk]
        with translation.override(person.language):
            title = _title(kind, event)
        notification = notify(
            person,
            ticket,
            kind=kind,
            title=title,
            text=_text(event),
            event=event,
        )
        if notification is not None:
            told.append(notification)
    return told


def _reasons(event: TicketEvent) -> dict[int, str]:
    """Who the event concerns, by id, and why (the first reason of `_PRECEDENCE`)."""
    found: dict[int, set[str]] = {}

    def add(user_ids: object, kind: str) -> None:
        for user_id in user_ids:
            found.setdefault(user_id, set()).add(kind)

    message = event.message
    if message is not None and message.is_internal:
        add(mentioned(message.body), Kind.MENTION)
    elif event.kind == TicketEvent.Kind.CREATED:
        # Read afresh: the routing rules may have given it a group meanwhile.
        group_id = (
            Ticket.objects.filter(pk=event.ticket_id)
            .values_list("group_id", flat=True)
            .get()
        )
        add(_members(group_id), Kind.NEW_TICKET)
    elif event.kind == TicketEvent.Kind.RATED:
        if SatisfactionRating.is_low(int(event.new_value)):
            add(_supervisors(event.ticket.group_id), Kind.LOW_RATING)
    else:
        if event.kind == TicketEvent.Kind.ASSIGNEE and event.new_value:
            add([int(event.new_value)], Kind.ASSIGNED)
        if message is not None and message.kind == Message.Kind.CUSTOMER:
            ticket = event.ticket
            if ticket.assignee_id is not None:
                add([ticket.assignee_id], Kind.CUSTOMER_REPLY)
            else:
                add(_members(ticket.group_id), Kind.CUSTOMER_REPLY)
        if event.kind in (
            TicketEvent.Kind.MESSAGE,
            TicketEvent.Kind.STATUS,
            TicketEvent.Kind.ASSIGNEE,
        ):
            add(
                Follow.objects.filter(ticket_id=event.ticket_id).values_list(
                    "user_id", flat=True
                ),
                Kind.FOLLOWED,
            )
    return {
        user_id: next(kind for kind in _PRECEDENCE if kind in kinds)
        for user_id, kinds in found.items()
    }


def _members(group_id: int | None) -> list[int]:
    if group_id is None:
        return []
    return list(
        User.objects.filter(
            support_groups=group_id, support_groups__is_active=True
        ).values_list("pk", flat=True)
    )


def _supervisors(group_id: int | None) -> list[int]:
    """The supervisors among the group's members; all supervisors when the
    ticket has no group or its group has none."""
    supervisors = User.objects.active_staff().filter(
        groups__name=StaffRole.SUPERVISOR.value
    )
    in_group = (
        supervisors.filter(support_groups=group_id, support_groups__is_active=True)
        if group_id is not None
        else supervisors.none()
    )
    return list(in_group.values_list("pk", flat=True)) or list(
        supervisors.values_list("pk", flat=True)
    )


def mentioned(text: str) -> set[int]:
    """The active staff an internal note names after an "@": by the local
    part of their e-mail address (@ivanov) or by their full name
    (@Иван Иванов), in any case."""
    starts = [match.end() for match in _MENTION.finditer(text)]
    if not starts:
        return set()
    folded = text.casefold()
    found = set()
    for pk, person in cached_lists.staff_by_pk().items():
        names = {
            person.email.partition("@")[0].casefold(),
            " ".join(person.full_name.split()).casefold(),
        } - {""}
        if any(_named_at(folded, start, name) for start in starts for name in names):
            found.add(pk)
    return found


def _named_at(text: str, start: int, name: str) -> bool:
    end = start + len(name)
    return text.startswith(name, start) and (
        end == len(text) or not (text[end].isalnum() or text[end] in "_-")
    )


def _title(kind: str, event: TicketEvent) -> str:
    """One line saying what happened, in the active language."""
    actor = event.actor
    name = actor.get_full_name() if actor is not None else _("Automation")
    if kind == Kind.NEW_TICKET:
        return _("New ticket in your group")
    if kind == Kind.ASSIGNED:
        return _("Assigned to you by %(name)s") % {"name": name}
    if kind == Kind.MENTION:
        return _("%(name)s mentioned you") % {"name": name}
    if kind == Kind.LOW_RATING:
        return _("Rated %(score)s of 5 by %(name)s") % {
            "score": event.new_value,
            "name": name,
        }
    if event.kind == TicketEvent.Kind.STATUS:
        return _("Status: %(old)s → %(new)s") % {
            "old": Ticket.Status(event.old_value).label,
            "new": Ticket.Status(event.new_value).label,
        }
    if event.kind == TicketEvent.Kind.ASSIGNEE:
        assignee = event.ticket.assignee
        if assignee is None:
            return _("Unassigned by %(name)s") % {"name": name}
        return _("Assigned to %(assignee)s by %(name)s") % {
            "assignee": assignee.get_full_name(),
            "name": name,
        }
    return _("%(name)s wrote") % {"name": name}


def _text(event: TicketEvent) -> str:
    message = event.message
    if message is not None:
        return message.body[:TEXT_LENGTH]
    if event.kind == TicketEvent.Kind.RATED:
        # A one-click score comes first; its comment, if any, is on the ticket.
        rating = SatisfactionRating.objects.filter(ticket_id=event.ticket_id).first()
        return rating.comment[:TEXT_LENGTH] if rating is not None else ""
    return event.note[:TEXT_LENGTH]


def preferences_of(user: User) -> Preferences:
    """The person's preferences, or the defaults (everything, no quiet hours)."""
    try:
        return user.notification_preferences
    except Preferences.DoesNotExist:
        return Preferences(user=user)


def wants(user: User, kind: str, *, channel: str) -> bool:
    """Whether the person wants this kind in the app ("in_app") or by
    e-mail ("email")."""
    preferences = preferences_of(user)
    if channel == "in_app":
        return kind not in preferences.muted_in_app
    if kind == Kind.CUSTOMER_REPLY:
        try:
            return user.notification_settings.on_customer_message
        except NotificationSettings.DoesNotExist:
            return True
    return kind not in preferences.muted_email


@transaction.atomic
def notify(
    recipient: User,
    ticket: Ticket,
    *,
    kind: str,
    title: str,
    text: str = "",
    event: TicketEvent | None = None,
) -> Notification | None:
    """Tell one member of staff of a ticket, as they want it: in their list,
    by e-mail (now, after their quiet hours, or in a digest), both or
    neither (None). `title` and `text` in the recipient's language."""
    in_app = wants(recipient, kind, channel="in_app")
    by_email = wants(recipient, kind, channel="email")
    if not (in_app or by_email):
        return None
    at = now()
    notification = Notification.objects.create(
        recipient=recipient,
        ticket=ticket,
        event=event,
        actor=event.actor if event is not None else None,
        kind=kind,
        title=title[:300],
        text=text,
        created_at=at,
        # Kept for the e-mail alone: in the list as already read.
        read_at=None if in_app else at,
        email_due_at=at if by_email else None,
    )
    if by_email:
        _email_or_hold(notification, at=at)
    if in_app:
        unread.forget(recipient.pk)
    return notification


def _email_or_hold(notification: Notification, *, at: datetime.datetime) -> None:
    """E-mail the notification at once, or hold it: until the recipient's
    quiet hours end, the digest's window after their last e-mail closes, or
    with the ones already held for them."""
    recipient = notification.recipient
    reasons = [
        preferences_of(recipient).quiet_until(at),
        _window_closes(recipient, at=at),
        Notification.objects.filter(recipient=recipient)
        .email_pending()
        .exclude(pk=notification.pk)
        .order_by("email_due_at")
        .values_list("email_due_at", flat=True)
        .first(),
    ]
    held = [moment for moment in reasons if moment is not None]
    if held:
        notification.email_due_at = max([*held, at])
        notification.save(update_fields=["email_due_at"])
        return
    _queue_email(recipient, [notification])
    notification.emailed_at = at
    notification.save(update_fields=["emailed_at"])


def _window_closes(
    recipient: User, *, at: datetime.datetime
) -> datetime.datetime | None:
    """When the digest's window after the person's last e-mail closes; None
    when it has (served by the `notification_emailed` index)."""
    last = (
        Notification.objects.filter(recipient=recipient, emailed_at__isnull=False)
        .order_by("-emailed_at")
        .values_list("emailed_at", flat=True)
        .first()
    )
    if last is not None and last + DIGEST_WINDOW > at:
        return last + DIGEST_WINDOW
    return None


def _queue_email(recipient: User, notifications: list[Notification]) -> None:
    """One e-mail: the notification, or a digest of several."""
    site = settings.SITE_URL.rstrip("/")
    first = notifications[0]
    with translation.override(recipient.language):
        if len(notifications) == 1:
            ticket = first.ticket
            subject = f"[{ticket.reference}] {first.title}: {ticket.subject}"
            body = render_to_string(
                "notifications/email/notification.txt",
                {
                    "notification": first,
                    "ticket": ticket,
                    "url": site + ticket.get_absolute_url(),
                },
            )
        else:
            count = len(notifications)
            subject = ngettext(
                "%(count)d notification", "%(count)d notifications", count
            ) % {"count": count}
            body = render_to_string(
                "notifications/email/digest.txt",
                {
                    "notifications": notifications,
                    "site": site,
                    "list_url": site + reverse("notifications:list"),
                },
            )
    email_outbox.queue(
        [recipient.email],
        subject=subject,
        body=body,
        headers={"Auto-Submitted": "auto-generated"},
        ticket_id=first.ticket_id if len(notifications) == 1 else None,
    )


def send_due_emails(at: datetime.datetime | None = None) -> int:
    """E-mail what is held and due (beat): one e-mail a person. How many
    e-mails were queued."""
    at = at or now()
    # Served by the `notification_email_pending` index.
    recipients = list(
        Notification.objects.email_due(at)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()[:500]
    )
    return sum(_send_due_email(recipient_id, at=at) for recipient_id in recipients)


@transaction.atomic
def _send_due_email(recipient_id: int, *, at: datetime.datetime) -> int:
    due = list(
        Notification.objects.email_due(at)
        .filter(recipient_id=recipient_id)
        # A worker sending them now holds them: not twice.
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("ticket", "recipient")
        .order_by("created_at", "pk")
    )
    if not due:
        return 0
    pks = [notification.pk for notification in due]
    rows = Notification.objects.filter(pk__in=pks)
    recipient = due[0].recipient
    if not (recipient.is_active and recipient.is_staff):
        rows.update(email_due_at=None)
        return 0
    later = preferences_of(recipient).quiet_until(at) or _window_closes(
        recipient, at=at
    )
    if later is not None:
        rows.update(email_due_at=later)
        return 0
    _queue_email(recipient, due)
    rows.update(emailed_at=at)
    return 1


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = now()
        notification.save(update_fields=["read_at"])
        unread.forget(notification.recipient_id)
    return notification


def mark_all_read(user: User) -> int:
    marked = Notification.objects.of(user).unread().update(read_at=now())
    if marked:
        unread.forget(user.pk)
    return marked


def follow_ticket(ticket: Ticket, *, by: User) -> bool:
    """The agent follows the ticket; False when they already did."""
    _follow, created = Follow.objects.get_or_create(user=by, ticket=ticket)
    if created:
        unread.forget(by.pk)
    return created


def unfollow_ticket(ticket: Ticket, *, by: User) -> bool:
    deleted, _counts = Follow.objects.filter(user=by, ticket=ticket).delete()
    if deleted:
        unread.forget(by.pk)
    return bool(deleted)


@transaction.atomic
def save_preferences(
    user: User,
    *,
    muted_in_app: list[str],
    muted_email: list[str],
    quiet_from: datetime.time | None,
    quiet_to: datetime.time | None,
) -> Preferences:
    """Keep the person's choices; whether customers' messages come by e-mail
    is kept in `NotificationSettings`, where it was before this app."""
    NotificationSettings.objects.update_or_create(
        user=user,
        defaults={"on_customer_message": Kind.CUSTOMER_REPLY not in muted_email},
    )
    preferences, _created = Preferences.objects.update_or_create(
        user=user,
        defaults={
            "muted_in_app": sorted(muted_in_app),
            "muted_email": sorted(set(muted_email) - {Kind.CUSTOMER_REPLY}),
            "quiet_from": quiet_from,
            "quiet_to": quiet_to,
        },
    )
    return preferences
