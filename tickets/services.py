"""Every write to a ticket goes through here: the rules live in one place."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.timezone import localdate, localtime, now
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import Licence, StaffRole, User
from audit.models import AuditEntry
from audit.services import record
from schedule import current as support_hours
from tickets import canned, conversation
from tickets.email import outbox
from tickets.models import (
    Attachment,
    KeptUpload,
    Macro,
    Message,
    SatisfactionRating,
    SlaTarget,
    SlaWarning,
    SupportGroup,
    Tag,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketLink,
    TicketQuerySet,
    new_search_vector,
)
from tickets.notify import notify, publish_event, publish_sla_warning
from tickets.sla import breaching_horizon, sla_state, stored_facts

# How long a file chosen in a form that came back with an error is kept.
KEPT_UPLOADS_FOR = datetime.timedelta(days=1)


class TicketError(Exception):
    """A ticket rule was broken; the message says which, in the user's language."""


def _notify(event: TicketEvent, *, closing: bool = False) -> None:
    # The outbox rows are written in the same transaction as the change; a
    # worker sends them after commit.
    notify(event, closing=closing)


def next_reference(year: int) -> str:
    """The next public reference of the year, e.g. HD-2026-000123 (inside a transaction)."""
    return next_references(year, 1)[0]


def next_references(year: int, count: int) -> list[str]:
    """The next `count` public references of the year (inside a transaction)."""
    # One statement: the year's row is made or moved on, and locked until
    # the transaction ends, so that no other filing takes the same numbers.
    table = TicketCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, %s) "
            f"ON CONFLICT (year) DO UPDATE SET last_number = "
            f"{table}.last_number + excluded.last_number RETURNING last_number",
            [year, count],
        )
        (last,) = cursor.fetchone()
    return [
        f"{settings.TICKET_REFERENCE_PREFIX}-{year}-{number:06d}"
        for number in range(last - count + 1, last + 1)
    ]


def check_attachments(files: Sequence[UploadedFile]) -> None:
    if len(files) > settings.TICKET_ATTACHMENT_MAX_FILES:
        raise TicketError(
            _("Attach at most %(count)d files to one message.")
            % {"count": settings.TICKET_ATTACHMENT_MAX_FILES}
        )
    for upload in files:
        extension = (
            "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        )
        if extension not in settings.TICKET_ATTACHMENT_EXTENSIONS:
            raise TicketError(
                _("Files of type “%(extension)s” cannot be attached (%(name)s).")
                % {"extension": extension or "—", "name": upload.name}
            )
        if upload.size > settings.TICKET_ATTACHMENT_MAX_BYTES:
            raise TicketError(
                _("%(name)s is larger than %(limit)d MB.")
                % {
                    "name": upload.name,
                    "limit": settings.TICKET_ATTACHMENT_MAX_BYTES // 2**20,
                }
            )


def _attach(message: Message, files: Sequence[UploadedFile | ContentFile]) -> None:
    for upload in files:
        Attachment.store(upload, message=message)


def keep_uploads(owner: User, files: Sequence[UploadedFile]) -> list[KeptUpload]:
    """Keep the files a form brought before it came back with an error, so
    that the person need not choose them again; a file that could never be
    attached (its type or size) is not kept."""
    kept = []
    for upload in files:
        try:
            check_attachments([upload])
        except TicketError:
            continue
        upload.seek(0)
        kept_upload = KeptUpload(
            owner=owner, original_name=upload.name[:255], size=upload.size
        )
        kept_upload.file.save(upload.name, upload, save=False)
        kept_upload.save()
        kept.append(kept_upload)
    return kept


def _take_kept(kept: Sequence[KeptUpload], *, owner: User) -> list[ContentFile]:
    """The kept files as files to attach; their rows go with this
    transaction, their stored copies once it has committed."""
    files = []
    for kept_upload in kept:
        if kept_upload.owner_id != owner.pk:
            raise TicketError(_("This file was chosen by someone else."))
        with kept_upload.file.open("rb") as stored:
            files.append(ContentFile(stored.read(), name=kept_upload.original_name))
        transaction.on_commit(
            partial(kept_upload.file.storage.delete, kept_upload.file.name),
            robust=True,
        )
    KeptUpload.objects.filter(pk__in=[k.pk for k in kept]).delete()
    return files


def forget_kept_uploads(older_than: datetime.timedelta = KEPT_UPLOADS_FOR) -> int:
    """Delete files kept from forms that were never sent again."""
    stale = list(KeptUpload.objects.filter(created_at__lt=now() - older_than))
    for kept_upload in stale:
        kept_upload.file.delete(save=False)
    KeptUpload.objects.filter(pk__in=[k.pk for k in stale]).delete()
    return len(stale)


def licence_refusal(licence: Licence, on: datetime.date | None = None) -> str | None:
    """Why no ticket can be filed for this licence now, or None when it can."""
    if not licence.organisation.is_active:
        return _("The organisation %(name)s is archived.") % {
            "name": licence.organisation.name
        }
    if licence.subscription_active(on=on or localdate()):
        return None
    ends_on = licence.support_ends_on
    if ends_on is None:
        refusal = _("Licence %(number)s has no support subscription.") % {
            "number": licence.number
        }
    else:
        refusal = _(
            "The support subscription for licence %(number)s ended on %(date)s."
        ) % {"number": licence.number, "date": ends_on.strftime("%d.%m.%Y")}
    return f"{refusal} {renewal_hint()}"


def renewal_hint() -> str:
    """How a customer renews a subscription (the settings say where)."""
    if settings.RENEWAL_URL:
        return _("Renew it at %(url)s to file new tickets.") % {
            "url": settings.RENEWAL_URL
        }
    return _("To renew it and file new tickets, write to %(email)s.") % {
        "email": settings.SALES_EMAIL
    }


def filing_closed(
    contact: User, on: datetime.date | None = None
) -> list[Licence] | None:
    """The contact's licences, each with its subscription periods, when no
    ticket can be filed for any of them (support ended, never bought, or the
    organisation archived); None when one is open. The home page and the
    filing page say so before anyone fills in a form."""
    licences = list(
        Licence.objects.visible_to(contact)
        .select_related("organisation")
        .with_periods()
        .order_by("number")
    )
    return None if filing_open(licences, on) else licences


def filing_open(licences: Sequence[Licence], on: datetime.date | None = None) -> bool:
    """Whether a ticket can be filed for any of these licences."""
    return any(licence_refusal(licence, on) is None for licence in licences)


@transaction.atomic
def open_ticket(
    *,
    contact: User,
    licence: Licence,
    subject: str,
    description: str,
    category: str,
    priority: str = Ticket.Priority.NORMAL,
    contact_email: str = "",
    contact_phone: PhoneNumber | str = "",
    channel: str = Ticket.Channel.WEB,
    attachments: Sequence[UploadedFile] = (),
    kept: Sequence[KeptUpload] = (),
    filed_by: User | None = None,
    override_reason: str = "",
    cc: Sequence[User] = (),
) -> Ticket:
    """File a ticket for a contact and one of their organisation's licences,
    with the files attached and those `kept` from an earlier try.

    A licence without active support is refused, unless a member of staff
    files on the customer's behalf and records why.
    """
    filed_by = filed_by or contact
    membership = contact.membership_or_none
    if membership is None or membership.organisation_id != licence.organisation_id:
        raise TicketError(
            _("This licence does not belong to the contact's organisation.")
        )
    refusal = licence_refusal(licence)
    override = bool(refusal) and filed_by.is_staff and bool(override_reason.strip())
    if refusal and not override:
        raise TicketError(refusal)
    attachments = [*_take_kept(kept, owner=filed_by), *attachments]
    check_attachments(attachments)
    created_at = now()
    ticket = Ticket(
        reference=next_reference(localdate(created_at).year),
        organisation=licence.organisation,
        licence=licence,
        contact=contact,
        contact_email=(contact_email or contact.email).strip(),
        # Stored by its field: a valid number in E.164.
        contact_phone=contact_phone,
        # One line: it becomes an e-mail header, where a newline is an injection.
        subject=" ".join(subject.split())[:200],
        category=category,
        priority=priority,
        channel=channel,
        created_at=created_at,
        last_customer_message_at=created_at,
        last_activity_at=created_at,
        licence_override_by=filed_by if override else None,
        licence_override_reason=override_reason.strip() if override else "",
    )
    # Its SLA clocks and search index with the row itself, not by updating it
    # (each version of a ticket's row is written to all its indexes): a new
    # ticket has no status changes, and one message.
    for field, value in sla_facts(ticket, []).items():
        setattr(ticket, field, value)
    ticket.search_vector = new_search_vector(ticket, description)
    ticket.save(force_insert=True)
    message = Message.objects.create(
        ticket=ticket,
        author=contact,
        kind=Message.Kind.CUSTOMER,
        body=description,
        channel=channel,
        created_at=created_at,
    )
    _attach(message, attachments)
    if cc:
        set_copied_contacts(ticket, cc)
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=filed_by,
        kind=TicketEvent.Kind.CREATED,
        message=message,
        note=ticket.licence_override_reason,
    )
    if override:
        # The reason stays on the ticket: free text, it may name people.
        record(
            AuditEntry.Action.GATE_OVERRIDE,
            actor=filed_by,
            target=ticket,
            licence=licence.pk,
        )
    _notify(event)
    # Routing and triggers (`automation`) may have changed it meanwhile.
    ticket.refresh_from_db()
    return ticket


def _set_status(
    ticket: Ticket, to: str, *, by: User | None, note: str = ""
) -> TicketEvent:
    """Move a locked ticket along the workflow and record it; the caller saves nothing else."""
    if not ticket.can_move_to(to):
        raise TicketError(
            _("A ticket that is “%(old)s” cannot become “%(new)s”.")
            % {
                "old": Ticket.Status(ticket.status).label,
                "new": Ticket.Status(to).label,
            }
        )
    old = ticket.status
    ticket.status = to
    moment = now()
    if to == Ticket.Status.RESOLVED:
        ticket.resolved_at = moment
    if to == Ticket.Status.CLOSED:
        ticket.closed_at = moment
        # Closed without being resolved first: solved now.
        ticket.resolved_at = ticket.resolved_at or moment
    if to == Ticket.Status.OPEN:
        ticket.resolved_at = ticket.closed_at = None
    # Customers see every status change (auto-closing included) in the list.
    ticket.last_activity_at = ticket.status_changed_at = moment
    ticket.save(
        update_fields=[
            "status",
            "resolved_at",
            "closed_at",
            "last_activity_at",
            "status_changed_at",
            "updated_at",
        ]
    )
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=by,
        kind=TicketEvent.Kind.STATUS,
        old_value=old,
        new_value=to,
        note=note,
    )
    # Waiting pauses the SLA clock, a reply that reopens resumes it, solving
    # stops it and decides whether the target was met.
    refresh_sla(ticket)
    return event


@transaction.atomic
def change_ticket_status(
    ticket: Ticket, *, to: str, by: User | None, note: str = ""
) -> TicketEvent:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    event = _set_status(ticket, to, by=by, note=note)
    _notify(event)
    return event


@transaction.atomic
def add_message(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    kept: Sequence[KeptUpload] = (),
    uploaded_by: User | None = None,
    channel: str = Ticket.Channel.WEB,
    new_status: str = "",
) -> Message:
    """Add a customer message, a support reply or an internal note.

    A customer writing to a waiting, resolved or closed ticket reopens it;
    support's first public reply opens a new ticket and stamps the first
    response. Staff may change the status in the same step.
    """
    attachments = [*_take_kept(kept, owner=uploaded_by or author), *attachments]
    if not body.strip() and not attachments:
        raise TicketError(_("Write a message or attach a file."))
    check_attachments(attachments)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.merged_into_id is not None:
        ticket = Ticket.objects.select_for_update().get(pk=_surviving(ticket).pk)
    if author.is_staff:
        kind = Message.Kind.INTERNAL_NOTE if internal else Message.Kind.REPLY
    else:
        kind = Message.Kind.CUSTOMER
    message = Message.objects.create(
        ticket=ticket, author=author, kind=kind, body=body, channel=channel
    )
    _attach(message, attachments)
    Ticket.objects.filter(pk=ticket.pk).refresh_search_index()
    message_event = TicketEvent.objects.create(
        ticket=ticket, actor=author, kind=TicketEvent.Kind.MESSAGE, message=message
    )
    # What the message changes on the ticket, saved at once.
    changed = []
    if kind != Message.Kind.INTERNAL_NOTE:
        ticket.last_activity_at = message.created_at
        changed.append("last_activity_at")
    first_response = kind == Message.Kind.REPLY and ticket.first_response_at is None
    if kind == Message.Kind.CUSTOMER:
        ticket.last_customer_message_at = message.created_at
        # Whoever writes has read what came before: no "New reply" to it.
        ticket.customer_seen_at = message.created_at
        changed += ["last_customer_message_at", "customer_seen_at"]
    elif kind == Message.Kind.REPLY:
        ticket.last_staff_reply_at = message.created_at
        # The ticket is locked: one more than it holds is exact.
        ticket.staff_replies += 1
        changed += ["last_staff_reply_at", "staff_replies"]
        # Whoever answers has read what the customer wrote: the queue's
        # "customer answered" marker goes.
        if ticket.unseen_by_staff:
            ticket.staff_seen_at = message.created_at
            changed.append("staff_seen_at")
        if first_response:
            ticket.first_response_at = message.created_at
            changed.append("first_response_at")
    if changed:
        ticket.save(update_fields=[*changed, "updated_at"])
    # Told with the message (one e-mail), published to webhooks after it.
    status_events = []
    if kind == Message.Kind.CUSTOMER and ticket.status in {
        Ticket.Status.WAITING,
        Ticket.Status.RESOLVED,
        Ticket.Status.CLOSED,
    }:
        status_events.append(_set_status(ticket, Ticket.Status.OPEN, by=author))
    if first_response:
        # Stores the first-response time and whether it met the target.
        refresh_sla(ticket)
    if (
        kind == Message.Kind.REPLY
        and ticket.status == Ticket.Status.NEW
        and new_status in {"", Ticket.Status.NEW}
    ):
        new_status = Ticket.Status.OPEN
    if author.is_staff and new_status and new_status != ticket.status:
        status_events.append(_set_status(ticket, new_status, by=author))
    # One e-mail per message: a reply says the ticket's new status itself,
    # and asks for the rating when it closed the ticket.
    _notify(message_event, closing=bool(status_events) and ticket.is_closed)
    for event in status_events:
        publish_event(event)
    return message


def mark_ticket_seen(ticket: Ticket, *, by: User) -> None:
    """A reader opened the ticket: what the other side wrote so far is no
    longer new. For staff, the customer's messages (the queue's "customer
    answered" marker); for a customer, support's replies (the list's "New
    reply" marker).

    One conditional UPDATE, issued only when the ticket as read shows
    something unseen, so that an ordinary view writes nothing; the condition
    is repeated in the UPDATE, so two tabs opening the ticket at once stamp it
    once and a message committed meanwhile is not marked seen before it is
    shown.
    """
    if by.is_staff:
        if not ticket.unseen_by_staff:
            return
        moment = now()
        Ticket.objects.filter(
            pk=ticket.pk, last_customer_message_at__lte=ticket.last_customer_message_at
        ).unseen_by_staff().update(staff_seen_at=moment)
        ticket.staff_seen_at = moment
        return
    if not ticket.has_new_reply:
        return
    Ticket.objects.filter(
        pk=ticket.pk, last_staff_reply_at__lte=ticket.last_staff_reply_at
    ).with_new_reply().update(customer_seen_at=now())


def taken_by_phone(body: str, *, by: User) -> str:
    """The customer's words from a call as staff write them down, headed by
    who took the call and when."""
    taken = _("Phone call taken by %(name)s on %(when)s Moscow time.") % {
        "name": by.full_name or by.email,
        "when": localtime(now()).strftime("%d.%m.%Y %H:%M"),
    }
    return f"*{taken}*\n\n{body}"


def log_phone_call(
    ticket: Ticket,
    *,
    by: User,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    kept: Sequence[KeptUpload] = (),
) -> Message:
    """A later call from the customer, written down by staff as the
    customer's message on the phone channel (it reopens the ticket and
    tells the assignee, as any customer message does)."""
    if not by.is_staff:
        raise TicketError(_("Only support staff log phone calls."))
    return add_message(
        ticket,
        author=ticket.contact,
        body=taken_by_phone(body, by=by),
        attachments=attachments,
        kept=kept,
        uploaded_by=by,
        channel=Ticket.Channel.PHONE,
    )


@transaction.atomic
def close_ticket(ticket: Ticket, *, by: User) -> TicketEvent:
    """The customer says the problem is solved."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    event = _set_status(ticket, Ticket.Status.CLOSED, by=by)
    _notify(event)
    return event


@transaction.atomic
def rate_ticket(
    ticket: Ticket,
    *,
    by: User,
    score: int,
    comment: str = "",
    channel: str = Ticket.Channel.WEB,
) -> SatisfactionRating:
    """The customer rates the help, once per ticket whatever the channel
    (the portal, the closing e-mail's links, Telegram's buttons): the first
    rating stands and a later one, anywhere, is refused. A low score reaches
    the supervisors through the published event (`notifications`)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Ticket.Status.CLOSED:
        raise TicketError(_("A ticket is rated once it is closed."))
    if not ticket.was_answered:
        raise TicketError(
            _("Support has not answered this ticket, so there is no help to rate.")
        )
    if SatisfactionRating.objects.filter(ticket=ticket).exists():
        raise TicketError(_("This ticket has already been rated."))
    if not 1 <= score <= 5:
        raise TicketError(_("Choose a score from 1 to 5."))
    rating = SatisfactionRating.objects.create(
        ticket=ticket,
        score=score,
        comment=comment.strip(),
        rated_by=by,
        channel=channel,
    )
    event = TicketEvent.objects.create(
        ticket=ticket, actor=by, kind=TicketEvent.Kind.RATED, new_value=str(score)
    )
    publish_event(event)
    return rating


@transaction.atomic
def comment_on_rating(ticket: Ticket, *, by: User, comment: str) -> SatisfactionRating:
    """The comment given after a one-click score (e-mail, Telegram): once,
    by the person who rated, and only while the rating has none, so nothing
    said is ever overwritten."""
    rating = (
        SatisfactionRating.objects.select_for_update().filter(ticket=ticket).first()
    )
    if rating is None:
        raise TicketError(_("This ticket has not been rated yet."))
    if rating.rated_by_id != by.pk:
        raise TicketError(_("Only the person who rated the ticket may comment on it."))
    if rating.comment:
        raise TicketError(_("This rating already has a comment."))
    if not comment.strip():
        raise TicketError(_("Write a comment first."))
    rating.comment = comment.strip()
    rating.save(update_fields=["comment"])
    return rating


@transaction.atomic
def update_ticket(
    ticket: Ticket,
    *,
    by: User | None,
    status: str = "",
    tags: Sequence[str] | None = None,
    **changes: object,
) -> list[TicketEvent]:
    """Change priority, category, assignee, group or licence, recording each
    change; the tags, if given, to exactly those; then the status, if another
    is given, along the workflow (told to the customer as any status change
    is). All or nothing."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    kinds = {
        "priority": TicketEvent.Kind.PRIORITY,
        "category": TicketEvent.Kind.CATEGORY,
        "assignee": TicketEvent.Kind.ASSIGNEE,
        "group": TicketEvent.Kind.GROUP,
        "licence": TicketEvent.Kind.LICENCE,
    }
    events = []
    for field, value in changes.items():
        old = getattr(ticket, field)
        if old == value:
            continue
        if field == "licence" and value.organisation_id != ticket.organisation_id:
            raise TicketError(
                _("The licence must belong to the ticket's organisation.")
            )
        setattr(ticket, field, value)
        events.append(
            TicketEvent(
                ticket=ticket,
                actor=by,
                kind=kinds[field],
                old_value=_event_value(old),
                new_value=_event_value(value),
            )
        )
    if events:
        ticket.save(update_fields=[*changes.keys(), "updated_at"])
        TicketEvent.objects.bulk_create(events)
        for event in events:
            # Only an assignment is published (`WEBHOOK_TYPES`); it is not mailed.
            publish_event(event)
        conversation.forget(ticket.pk)
        if any(event.kind == TicketEvent.Kind.PRIORITY for event in events):
            refresh_sla(ticket)
    if tags is not None and (event := set_ticket_tags(ticket, tags, by=by)):
        events.append(event)
    if status and status != ticket.status:
        event = _set_status(ticket, status, by=by)
        _notify(event)
        events.append(event)
    return events


@transaction.atomic
def tag_ticket(
    ticket: Ticket,
    *,
    by: User | None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> TicketEvent | None:
    """Put tags on a ticket and take others off (typed names, made lower
    case; a new name makes a new tag). Recorded and published as one change;
    None when nothing changed."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    # The names the ticket keeps beside its tags (`Ticket.tag_names`).
    old = {name for name in ticket.tag_names.split(", ") if name}
    added = {Tag.normalise(name) for name in add} - {""} - old
    removed = {Tag.normalise(name) for name in remove} & old
    if not added and not removed:
        return None
    for name in sorted(added):
        tag, _created = Tag.objects.get_or_create(name=name)
        ticket.tags.add(tag)
    if removed:
        ticket.tags.remove(*Tag.objects.filter(name__in=removed))
    names = ", ".join(sorted((old | added) - removed))
    ticket.tag_names = names[:500]
    ticket.save(update_fields=["tag_names", "updated_at"])
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=by,
        kind=TicketEvent.Kind.TAGS,
        old_value=", ".join(sorted(old))[:300],
        new_value=names[:300],
    )
    publish_event(event)
    return event


def set_ticket_tags(
    ticket: Ticket, names: Sequence[str], *, by: User | None
) -> TicketEvent | None:
    """Make the ticket's tags exactly these (the properties panel's field)."""
    wanted = {Tag.normalise(name) for name in names} - {""}
    have = {name for name in ticket.tag_names.split(", ") if name}
    return tag_ticket(
        ticket, by=by, add=sorted(wanted - have), remove=sorted(have - wanted)
    )


def _check_macro(macro: Macro, *, by: User) -> None:
    if not by.is_staff:
        raise TicketError(_("Only support staff use macros."))
    if not macro.is_active or macro.owner_id not in (None, by.pk):
        raise TicketError(
            _("The macro “%(title)s” is not available.") % {"title": macro.title}
        )


def macro_text(macro: Macro, ticket: Ticket, *, by: User) -> str:
    """The macro's reply text for this ticket, in its contact's language."""
    [(_macro, text)] = canned.filled_responses(
        [macro], ticket, support_ends_on=ticket.licence.support_ends_on, agent=by
    )
    return text


@transaction.atomic
def apply_macro(
    ticket: Ticket, macro: Macro, *, by: User, with_status: bool = True
) -> str:
    """Set what the macro sets on the ticket (priority, category, assignee,
    group, tags and, unless `with_status` is false, the status) through
    `update_ticket` and `tag_ticket`, so history, SLA and e-mails follow as
    for any change; returns the macro's reply text for this ticket, for the
    agent to send."""
    _check_macro(macro, by=by)
    changes: dict[str, object] = {
        name: getattr(macro, name)
        for name in ("priority", "category")
        if getattr(macro, name)
    }
    if macro.assignee_id is not None:
        changes["assignee"] = macro.assignee
    if macro.group_id is not None:
        changes["group"] = macro.group
    update_ticket(ticket, by=by, status=macro.status if with_status else "", **changes)
    if macro.tags:
        tag_ticket(ticket, by=by, add=Tag.names_in(macro.tags))
    return macro_text(macro, ticket, by=by)


@transaction.atomic
def send_staff_message(
    ticket: Ticket,
    *,
    by: User,
    body: str,
    internal: bool = False,
    phone_call: bool = False,
    attachments: Sequence[UploadedFile] = (),
    kept: Sequence[KeptUpload] = (),
    then_status: str = "",
    macro: Macro | None = None,
) -> Message:
    """The staff composer's one Send, all or nothing:

    1. the macro chosen, if any, sets its priority, category and assignee;
    2. the message is added: a reply, an internal note, or a call written
       down as the customer's message;
    3. the status chosen (else the macro's) is set, told in the reply's own
       e-mail (`add_message`), or after the call as a change of its own.
    """
    if macro is not None:
        apply_macro(ticket, macro, by=by, with_status=False)
        then_status = then_status or macro.status
    if not phone_call:
        return add_message(
            ticket,
            author=by,
            body=body,
            internal=internal,
            attachments=attachments,
            kept=kept,
            new_status=then_status,
        )
    message = log_phone_call(
        ticket, by=by, body=body, attachments=attachments, kept=kept
    )
    if then_status and then_status != message.ticket.status:
        change_ticket_status(message.ticket, to=then_status, by=by)
    return message


def _event_value(value: object) -> str:
    """What an event stores of a value: a row's id (a person, a licence),
    otherwise the value itself (a choice's code); "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, Model):
        return str(value.pk)
    return str(value)[:300]


@transaction.atomic
def take_ticket(ticket: Ticket, *, by: User) -> list[TicketEvent]:
    """Assign a ticket to the agent who takes it, unless a colleague was quicker."""
    if not by.is_staff:
        raise TicketError(_("Only support staff can take tickets."))
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .get(pk=ticket.pk)
    )
    if ticket.assignee is not None and ticket.assignee != by:
        raise TicketError(
            _("%(reference)s has already been taken by %(name)s.")
            % {"reference": ticket.reference, "name": ticket.assignee.get_full_name()}
        )
    return update_ticket(ticket, by=by, assignee=by)


def change_tickets(
    tickets: Sequence[Ticket],
    *,
    by: User,
    assignee: User | None = None,
    status: str = "",
    priority: str = "",
    group: SupportGroup | None = None,
    tags: Sequence[str] = (),
) -> tuple[int, list[str]]:
    """Apply one staff change (assignee, status, priority, group, or tags to
    add) to several tickets.

    Each ticket changes in its own transaction, through the same services as
    a single change, so history and notifications are kept and one ticket
    that cannot move (a closed ticket cannot be "waiting") does not hold the
    others back. Returns how many changed and why the others did not.
    """
    changed, errors = 0, []
    for ticket in tickets:
        try:
            if status:
                if ticket.status == status:
                    continue
                change_ticket_status(ticket, to=status, by=by)
                changed += 1
            elif priority:
                changed += bool(update_ticket(ticket, by=by, priority=priority))
            elif assignee is not None:
                changed += bool(update_ticket(ticket, by=by, assignee=assignee))
            elif group is not None:
                changed += bool(update_ticket(ticket, by=by, group=group))
            elif tags:
                changed += tag_ticket(ticket, by=by, add=tags) is not None
        except TicketError as error:
            errors.append(f"{ticket.reference}: {error}")
    return changed, errors


def apply_macro_to_tickets(
    tickets: Sequence[Ticket], macro: Macro, *, by: User
) -> tuple[int, list[str]]:
    """The queue's bulk macro: on each ticket what the composer's Send does
    with the macro chosen and its text as written, the properties set and,
    when the macro has a text, the reply sent in the ticket contact's
    language. Each ticket in its own transaction, as `change_tickets`: one
    that cannot take the macro's status keeps its text unsent and does not
    hold the others back. Returns how many took it and why the others did
    not."""
    _check_macro(macro, by=by)
    changed, errors = 0, []
    for ticket in tickets:
        try:
            text = macro_text(macro, ticket, by=by)
            if text.strip():
                send_staff_message(ticket, by=by, body=text, macro=macro)
            else:
                apply_macro(ticket, macro, by=by)
            changed += 1
        except TicketError as error:
            errors.append(f"{ticket.reference}: {error}")
    return changed, errors


def refresh_sla(
    ticket: Ticket, *, targets: dict[str, SlaTarget] | None = None
) -> list[str]:
    """Recompute and store what the queue and the dashboard read of the ticket's
    SLA clocks (`sla_facts`). Returns the names of the fields that changed.

    These depend only on the status history, the first reply, the priority's
    target and the calendar, never on when they are computed, so running this
    again (after the targets or the calendar changed) is safe.
    """
    events = TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEvent.Kind.STATUS
    ).only("created_at", "old_value", "new_value")
    changed = []
    for field, value in sla_facts(ticket, list(events), targets=targets).items():
        if getattr(ticket, field) != value:
            setattr(ticket, field, value)
            changed.append(field)
    if changed:
        ticket.save(update_fields=changed)
    return changed


def sla_facts(
    ticket: Ticket,
    status_changes: Sequence[TicketEvent],
    *,
    targets: dict[str, SlaTarget] | None = None,
) -> dict[str, object]:
    """What the ticket stores of its SLA clocks (`tickets.sla.stored_facts`):
    the resolution deadline (`Ticket.sla_due_at`), the first-response time in
    support time, and whether the first response and the solution met their
    targets, from its status changes."""
    state = sla_state(
        ticket,
        status_changes,
        SlaTarget.objects.by_priority() if targets is None else targets,
        now(),
    )
    return stored_facts(state)


def recompute_sla(tickets: TicketQuerySet | None = None) -> int:
    """Recompute the stored SLA facts (`refresh_sla`) of unsolved tickets and of
    solved ones that lack them (stored before the dashboard existed); returns
    how many tickets changed."""
    targets = SlaTarget.objects.by_priority()
    if tickets is None:
        # Until closing stamped `resolved_at`, a ticket closed without being
        # resolved first had none.
        Ticket.objects.filter(
            status=Ticket.Status.CLOSED, resolved_at=None, closed_at__isnull=False
        ).update(resolved_at=F("closed_at"))
        tickets = Ticket.objects.filter(
            Q(status__in=Ticket.OPEN_STATUSES)
            | Q(first_response_at__isnull=False, first_response_support_seconds=None)
            | Q(resolved_at__isnull=False, resolution_met=None)
            | Q(resolved_at__isnull=False, resolution_support_seconds=None)
        )
    return sum(
        bool(refresh_sla(ticket, targets=targets))
        for ticket in tickets.iterator(chunk_size=500)
    )


def close_resolved_tickets(today: datetime.date | None = None) -> int:
    """Close tickets left resolved for N support days without a customer reply."""
    today = today or localdate()
    calendar = support_hours.calendar()
    days = settings.TICKET_AUTO_CLOSE_BUSINESS_DAYS
    closed = 0
    for ticket in Ticket.objects.filter(
        status=Ticket.Status.RESOLVED, resolved_at__isnull=False
    ):
        resolved_on = localdate(ticket.resolved_at)
        working_days = sum(
            1
            for day in calendar.days(resolved_on + datetime.timedelta(days=1), today)
            if day.is_working
        )
        if working_days >= days:
            try:
                change_ticket_status(
                    ticket,
                    to=Ticket.Status.CLOSED,
                    by=None,
                    note=_(
                        "Closed automatically after %(days)d support days without a reply."
                    )
                    % {"days": days},
                )
            except TicketError:
                continue  # reopened meanwhile
            closed += 1
    return closed


@transaction.atomic
def set_copied_contacts(ticket: Ticket, contacts: Sequence[User]) -> None:
    """Copy colleagues of the ticket's organisation on it; they then see and hear of it."""
    allowed = set(
        User.objects.contacts_of(ticket.organisation_id).exclude(pk=ticket.contact_id)
    )
    if any(contact not in allowed for contact in contacts):
        raise TicketError(
            _("Only colleagues from the ticket's organisation can be copied.")
        )
    ticket.cc.set(contacts)


def warn_about_deadlines(at: datetime.datetime | None = None) -> int:
    """Tell assignees and supervisors of deadlines due within a support hour or passed.

    Only while support is open, so nobody is paged at night; each warning is
    recorded with the deadline it is about before it is queued, in one
    transaction, so a second run sends nothing again. Returns how many were sent.
    """
    at = at or now()
    if not support_hours.status(at).is_open:
        return 0
    supervisors = list(
        User.objects.active_staff().filter(groups__name=StaffRole.SUPERVISOR.value)
    )
    sent = 0
    due = Ticket.objects.breaching(by=breaching_horizon(at)).select_related("assignee")
    for ticket in due:
        kind = (
            SlaWarning.Kind.BREACHED
            if ticket.sla_due_at <= at
            else SlaWarning.Kind.DUE_SOON
        )
        recipients = {
            u.email: u for u in [ticket.assignee, *supervisors] if u is not None
        }
        with transaction.atomic():
            _warning, created = SlaWarning.objects.get_or_create(
                ticket=ticket, kind=kind, due_at=ticket.sla_due_at
            )
            if not created:
                continue
            publish_sla_warning(
                ticket,
                breached=kind == SlaWarning.Kind.BREACHED,
                due_at=ticket.sla_due_at,
            )
            for user in recipients.values():
                with translation.override(user.language):
                    subject = render_to_string(
                        "tickets/email/sla_warning_subject.txt",
                        {"ticket": ticket, "kind": kind},
                    )
                    body = render_to_string(
                        "tickets/email/sla_warning.txt",
                        {"ticket": ticket, "kind": kind, "site_url": settings.SITE_URL},
                    )
                outbox.queue(
                    [user.email],
                    subject=subject,
                    body=body,
                    headers={"Auto-Submitted": "auto-generated"},
                    ticket=ticket,
                )
        sent += 1
    return sent


def _surviving(ticket: Ticket) -> Ticket:
    """The ticket a merged duplicate lives on in (a reply by e-mail or Telegram
    to a duplicate's old notification lands there)."""
    while ticket.merged_into_id is not None:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


@transaction.atomic
def merge_ticket(duplicate: Ticket, *, into: Ticket, by: User) -> TicketEvent:
    """Merge a duplicate into another ticket of the same organisation.

    The duplicate's messages (with their files) move to the other ticket, its
    contact and copied colleagues are copied there so that they still see the
    conversation, and it is closed with a note that points to the other
    ticket; its contacts are told by e-mail.
    """
    if not by.is_staff:
        raise TicketError(_("Only support staff can merge tickets."))
    if duplicate.pk == into.pk:
        raise TicketError(_("A ticket cannot be merged into itself."))
    locked = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if duplicate.merged_into_id is not None:
        raise TicketError(
            _("%(reference)s has already been merged into another ticket.")
            % {"reference": duplicate.reference}
        )
    if into.merged_into_id is not None:
        raise TicketError(
            _("%(reference)s was itself merged into %(other)s; merge into that one.")
            % {
                "reference": into.reference,
                "other": _surviving(into).reference,
            }
        )
    if duplicate.organisation_id != into.organisation_id:
        raise TicketError(_("Only tickets of the same organisation can be merged."))
    Message.objects.filter(ticket=duplicate).update(ticket=into)
    conversation.forget(duplicate.pk, into.pk)
    followers = {duplicate.contact, *duplicate.cc.filter(is_active=True)}
    into.cc.add(*(user for user in followers if user.pk != into.contact_id))
    if (duplicate.last_customer_message_at or into.created_at) > (
        into.last_customer_message_at or into.created_at
    ):
        into.last_customer_message_at = duplicate.last_customer_message_at
        into.save(update_fields=["last_customer_message_at", "updated_at"])
    # Both tickets' customers see the merge in their timelines; the ticket
    # kept holds the newest reply of either.
    moment = now()
    into.last_activity_at = moment
    into.last_staff_reply_at = max(
        (at for at in (into.last_staff_reply_at, duplicate.last_staff_reply_at) if at),
        default=None,
    )
    into.save(update_fields=["last_activity_at", "last_staff_reply_at", "updated_at"])
    duplicate.merged_into = into
    duplicate.last_activity_at = moment
    duplicate.save(update_fields=["merged_into", "last_activity_at", "updated_at"])
    if duplicate.status != Ticket.Status.CLOSED:
        publish_event(_set_status(duplicate, Ticket.Status.CLOSED, by=by))
    TicketEvent.objects.create(
        ticket=into,
        actor=by,
        kind=TicketEvent.Kind.MERGED,
        old_value=duplicate.reference,
        new_value=into.reference,
    )
    event = TicketEvent.objects.create(
        ticket=duplicate,
        actor=by,
        kind=TicketEvent.Kind.MERGED,
        old_value=duplicate.reference,
        new_value=into.reference,
    )
    moved = Ticket.objects.filter(pk__in=[duplicate.pk, into.pk])
    moved.refresh_search_index()
    moved.recount_replies()
    refresh_sla(into)
    _notify(event)
    return event


def merge_tickets(
    duplicates: Sequence[Ticket], *, into: Ticket, by: User
) -> tuple[int, list[str]]:
    """Merge several tickets into one, each in its own transaction (see
    `change_tickets`); how many merged and why the others did not."""
    merged, errors = 0, []
    for duplicate in duplicates:
        if duplicate.pk == into.pk:
            continue
        try:
            merge_ticket(duplicate, into=into, by=by)
            merged += 1
        except TicketError as error:
            errors.append(f"{duplicate.reference}: {error}")
    return merged, errors


@transaction.atomic
def link_tickets(ticket: Ticket, related: Ticket, *, by: User) -> bool:
    """Link two related tickets (staff see the link on both); False if they were."""
    if not by.is_staff:
        raise TicketError(_("Only support staff can link tickets."))
    if ticket.pk == related.pk:
        raise TicketError(_("A ticket cannot be linked to itself."))
    _link, created = TicketLink.objects.get_or_create(
        ticket=ticket, related=related, defaults={"created_by": by}
    )
    TicketLink.objects.get_or_create(
        ticket=related, related=ticket, defaults={"created_by": by}
    )
    if created:
        _record_on_both(ticket, related, TicketEvent.Kind.LINKED, by=by)
    return created


@transaction.atomic
def unlink_tickets(ticket: Ticket, related: Ticket, *, by: User) -> bool:
    deleted, _counts = TicketLink.objects.filter(
        Q(ticket=ticket, related=related) | Q(ticket=related, related=ticket)
    ).delete()
    if deleted:
        _record_on_both(ticket, related, TicketEvent.Kind.UNLINKED, by=by)
    return bool(deleted)


def _record_on_both(ticket: Ticket, related: Ticket, kind: str, *, by: User) -> None:
    """The same link change in both tickets' history, each naming the other."""
    value = "new_value" if kind == TicketEvent.Kind.LINKED else "old_value"
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket=one, actor=by, kind=kind, **{value: other.reference})
        for one, other in ((ticket, related), (related, ticket))
    )
    conversation.forget(ticket.pk, related.pk)
