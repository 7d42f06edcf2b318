"""Erasing a person's data (`anonymise_person`) and the retention rules
(`apply_retention`): the writes of personal data's life cycle. What each
keeps and why: docs/personal-data.md."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.timezone import now
from django.utils.translation import gettext as _
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python

from accounts.models import (
    AccessRequest,
    AccountEvent,
    Consent,
    Invitation,
    User,
)
from accounts.services import deactivate_account
from audit import services as audit
from audit.models import AuditEntry
from knowledge.personal_data import placeholders, scrub_person
from notifications.models import Notification
from outbox.models import OutgoingEmail
from privacy.models import Erasure, RetentionRun
from tickets import conversation
from tickets.models import (
    Attachment,
    AutoReply,
    InboundEmail,
    KeptUpload,
    Message,
    SatisfactionRating,
    TelegramLink,
    TelegramLinkToken,
    TelegramUpdate,
    Ticket,
    TicketEvent,
)
from tickets.models.telegram import OutgoingTelegramMessage

logger = logging.getLogger(__name__)


class PrivacyError(Exception):
    """A rule of personal data was broken; the message says which."""


# Tables the sweep (`_Person.sweep`) leaves alone: encoded or secret data in
# which no typed name or address can be read, and Django's own catalogues.
SWEEP_SKIPS = {
    "sessions.Session",
    "auth.Permission",
    "contenttypes.ContentType",
    "mfa.Authenticator",
    "account.EmailConfirmation",
    # Append-only (its trigger refuses an update); it holds ids, never a
    # name, an address or a phone (`audit.services.record`).
    "audit.AuditEntry",
}
SWEEP_SKIP_FIELDS = {"password"}
# Shorter names and numbers than these are not looked for in every table:
# they would match unrelated text.
SHORTEST_NAME = 5
SHORTEST_PHONE_DIGITS = 7
# Rows changed per transaction by the retention run.
RETENTION_BATCH = 500


def _e164(phone: object) -> str:
    # As phone fields store it; str() would format it for reading.
    number = to_python(phone) if phone else None
    if number is None or not number.is_valid():
        return str(phone or "")
    return number.as_e164


def erased_email(user: User) -> str:
    """The unique address an erased account is left with; `.invalid` is a
    reserved domain (RFC 2606), so nothing is ever delivered there."""
    return f"erased-{user.pk}@erased.invalid"


@dataclass(frozen=True)
class _Person:
    """What identifies a person, gathered before any of it is replaced."""

    names: tuple[str, ...]
    emails: tuple[str, ...]  # lower case
    phones: tuple[str, ...]  # E.164
    placeholder_email: str

    @classmethod
    def of(cls, user: User) -> _Person:
        emails = {user.email.lower()}
        emails |= {
            e.lower()
            for e in EmailAddress.objects.filter(user=user).values_list(
                "email", flat=True
            )
        }
        emails |= {
            e.lower()
            for e in Ticket.objects.filter(contact=user).values_list(
                "contact_email", flat=True
            )
        }
        requests = AccessRequest.objects.filter(
            Q(email__in=emails) | Q(existing_account=user)
        )
        invitations = Invitation.objects.filter(
            Q(email__in=emails) | Q(accepted_by=user)
        )
        names = {user.full_name}
        phones = {_e164(user.phone), _e164(user.mobile_phone)}
        for rows in (requests, invitations):
            for name, email, phone in rows.values_list("full_name", "email", "phone"):
                if email == erased_email(user):
                    continue
                names.add(name)
                emails.add(email.lower())
                phones.add(_e164(phone))
        phones |= {
            _e164(phone)
            for phone in Ticket.objects.filter(contact=user).values_list(
                "contact_phone", flat=True
            )
        }
        link = TelegramLink.objects.filter(user=user).first()
        if link is not None:
            names.add(link.telegram_name)
        # Erased once already: its placeholders are nobody's data (the
        # name is in the language of whoever erased it).
        if user.email == erased_email(user):
            names -= {user.full_name}
        emails -= {erased_email(user)}
        return cls(
            names=tuple(sorted(n for n in names if n and n.strip())),
            emails=tuple(sorted(e for e in emails if e)),
            phones=tuple(sorted(p for p in phones if p)),
            placeholder_email=erased_email(user),
        )

    def needles(self) -> list[str]:
        """The exact strings looked for in every table."""
        found = [*self.emails, *self.phones]
        found += [n for n in self.names if len(n.strip()) >= SHORTEST_NAME]
        for phone in self.phones:
            digits = re.sub(r"\D", "", phone)
            # The national number alone: "9123456789" of "+79123456789".
            national = digits[1:] if phone.startswith("+7") else digits
            if len(national) >= SHORTEST_PHONE_DIGITS:
                found.append(national)
        return sorted(set(found) - {self.placeholder_email})

    def scrub(self, text: str) -> str:
        """The text without this person's names, addresses and phones; an
        exact spelling the finders miss is replaced all the same."""
        if not text:
            return text
        text = scrub_person(
            text, names=self.names, emails=self.emails, phones=self.phones
        )
        shown = placeholders()
        for needle in self.needles():
            kind = (
                "email"
                if needle in self.emails
                else "name"
                if needle in self.names
                else "phone"
            )
            text = re.sub(re.escape(needle), shown[kind], text, flags=re.IGNORECASE)
        return text

    def clean_value(self, field: models.Field, value: object) -> object:
        """A column's value without this person: an address becomes the
        placeholder address, a phone field empty, text is scrubbed."""
        if isinstance(field, models.JSONField):
            return self._clean_json(value)
        if not isinstance(value, str) or not value:
            return value
        if value.strip().lower() in self.emails:
            return self.placeholder_email
        if isinstance(field, PhoneNumberField) and value in self.phones:
            return ""
        cleaned = self.scrub(value)
        return cleaned[: field.max_length] if field.max_length else cleaned

    def _clean_json(self, value: object) -> object:
        if isinstance(value, str):
            if value.strip().lower() in self.emails:
                return self.placeholder_email
            return self.scrub(value)
        if isinstance(value, list):
            return [self._clean_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self._clean_json(item) for key, item in value.items()}
        return value

    def sweep(self) -> set[int]:
        """Replace this person's exact names, addresses and phones in every
        text column of every table; the ids of the tickets whose text changed.

        The safety net under the rules before it: a name quoted in a
        colleague's ticket, a webhook's payload, an admin log line. It reads
        each table once (no index serves a substring), which erasure, a rare
        act, can afford."""
        needles = self.needles()
        touched_tickets: set[int] = set()
        if not needles:
            return touched_tickets
        for model in apps.get_models():
            meta = model._meta
            if not meta.managed or meta.proxy or meta.label in SWEEP_SKIPS:
                continue
            fields = [
                f
                for f in meta.local_concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
                and f.name not in SWEEP_SKIP_FIELDS
            ]
            if not fields:
                continue
            queryset = model._base_manager.all()
            match = Q()
            for field in fields:
                lookup = field.attname
                if isinstance(field, models.JSONField):
                    lookup = f"_text_{field.attname}"
                    queryset = queryset.annotate(
                        **{lookup: Cast(field.attname, models.TextField())}
                    )
                for needle in needles:
                    match |= Q(**{f"{lookup}__icontains": needle})
            names = [f.attname for f in fields]
            for pk, *values in queryset.filter(match).values_list("pk", *names):
                changes = {}
                for field, value in zip(fields, values, strict=True):
                    cleaned = self.clean_value(field, value)
                    if cleaned != value:
                        changes[field.attname] = cleaned
                if changes:
                    model._base_manager.filter(pk=pk).update(**changes)
                    if model is Ticket:
                        touched_tickets.add(pk)
                    elif model is Message:
                        touched_tickets.add(
                            Message.objects.values_list("ticket_id", flat=True).get(
                                pk=pk
                            )
                        )
        return touched_tickets


def _rewrite(queryset: models.QuerySet, person: _Person, fields: Iterable[str]) -> int:
    """Scrub these text fields of every row; the number of rows changed."""
    fields = list(fields)
    changed = 0
    for pk, *values in queryset.values_list("pk", *fields):
        changes = {
            name: person.scrub(value)
            for name, value in zip(fields, values, strict=True)
            if value and person.scrub(value) != value
        }
        if changes:
            queryset.model._base_manager.filter(pk=pk).update(**changes)
            changed += 1
    return changed


def _delete_files_after_commit(names: Iterable[str]) -> None:
    # Only once the rows that named them are committed: a rollback must not
    # leave rows pointing at deleted files.
    names = [name for name in names if name]
    if names:
        transaction.on_commit(partial(_delete_files, names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _check_erasable(user: User, *, by: User) -> None:
    if user.pk == by.pk:
        raise PrivacyError(_("You cannot erase your own data."))
    if user.is_staff or user.is_superuser:
        raise PrivacyError(
            _(
                "Staff accounts are not erased here: they wrote the support's "
                "side of the tickets. Remove the staff rights first."
            )
        )


@transaction.atomic
def request_erasure(
    user: User, *, by: User, remove_attachments: bool = False
) -> Erasure:
    """Ask for a customer's erasure, as the admin does: refused for staff
    and for oneself; otherwise the account is closed now, for every channel
    (no sign-in, every session ended), and the erasure is recorded, pending.
    The caller queues `privacy.tasks.erase_person` after commit, which runs
    `carry_out_erasure`: the data itself goes there, since the sweep reads
    every table."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_erasable(user, by=by)
    deactivate_account(user, by=by, note=_("Erasure of their personal data requested."))
    if user.has_usable_password():
        # Ends every session: its hash was made from the old password.
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return Erasure.objects.create(
        user=user, requested_by=by, remove_attachments=remove_attachments
    )


def carry_out_erasure(erasure_id: int) -> Erasure | None:
    """Erase the person of a pending erasure (`anonymise_person`) and mark
    it done, in one transaction; None when there is nothing to do: done
    already, failed, or being carried out by another worker (its row is
    locked), so that a task delivered twice, or the periodic catch-up
    beside it, erases once. A failure rolls the erasure back and marks it
    failed, for the admin to ask again; the account stays closed."""
    try:
        with transaction.atomic():
            erasure = (
                Erasure.objects.select_for_update(skip_locked=True)
                .filter(pk=erasure_id, status=Erasure.Status.PENDING)
                .first()
            )
            if erasure is None:
                return None
            if erasure.requested_by is None:
                # Deleted meanwhile: the erasure has nobody to be recorded by.
                raise RuntimeError(f"Erasure {erasure_id} has lost its requester")
            anonymise_person(
                erasure.user,
                by=erasure.requested_by,
                remove_attachments=erasure.remove_attachments,
            )
            erasure.status = Erasure.Status.DONE
            erasure.finished_at = now()
            erasure.save(update_fields=["status", "finished_at"])
            return erasure
    except Exception:  # rolled back; say so instead of pending for ever
        logger.exception("Erasure %s failed", erasure_id)
        Erasure.objects.filter(pk=erasure_id, status=Erasure.Status.PENDING).update(
            status=Erasure.Status.FAILED, finished_at=now()
        )
        return Erasure.objects.get(pk=erasure_id)


def pending_erasures() -> list[int]:
    """The erasures still to carry out, oldest first (a task may have been
    lost to a broker outage: `tasks.erase_pending` catches up)."""
    return list(
        Erasure.objects.filter(status=Erasure.Status.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def anonymise_person(user: User, *, by: User, remove_attachments: bool = False) -> User:
    """Erase a customer's contact: everything that identifies them is
    replaced, their organisation keeps its tickets with their history.

    1. Gather their names, addresses and phones (`_Person.of`): the account,
       its access requests, invitations, tickets and Telegram link.
    2. Their tickets (filed, copied on or written in): the contact address
       and phone, and their names, addresses and phones in the subject, the
       messages, the notes, the ratings, the notifications and e-mails about
       them; inbound mail loses its original (`raw_removed_at`) and sender.
    3. With `remove_attachments`, the files they attached are deleted (the
       ticket says so where the link was).
    4. The account: a placeholder name and address, no phone, no password,
       deactivated; its Telegram link, sign-in addresses, authenticators and
       kept uploads are deleted; its consents lose their network address.
    5. Every table's text is swept for what remains (`_Person.sweep`), and
       the search index of the tickets touched is rebuilt.
    Running it again changes nothing more, except that attachments are
    removed when asked the second time. Recorded as an account event.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_erasable(user, by=by)
    already = user.account_events.filter(kind=AccountEvent.Kind.ERASED).exists()
    person = _Person.of(user)
    moment = now()
    files: list[str] = []

    tickets = Ticket.objects.filter(
        Q(contact=user)
        | Q(cc=user)
        | Q(contact_email__in=person.emails)
        | Q(pk__in=Message.objects.filter(author=user).values("ticket_id"))
    ).distinct()
    ticket_ids = set(tickets.values_list("pk", flat=True))

    theirs = Ticket.objects.filter(pk__in=ticket_ids)
    theirs.filter(Q(contact=user) | Q(contact_email__in=person.emails)).update(
        contact_email=person.placeholder_email
    )
    theirs.filter(Q(contact=user) | Q(contact_phone__in=person.phones)).update(
        contact_phone=""
    )
    _rewrite(
        Ticket.objects.filter(pk__in=ticket_ids),
        person,
        ["subject", "licence_override_reason"],
    )
    _rewrite(Message.objects.filter(ticket_id__in=ticket_ids), person, ["body"])
    _rewrite(TicketEvent.objects.filter(ticket_id__in=ticket_ids), person, ["note"])
    _rewrite(
        SatisfactionRating.objects.filter(ticket_id__in=ticket_ids),
        person,
        ["comment"],
    )
    _rewrite(
        Notification.objects.filter(ticket_id__in=ticket_ids), person, ["title", "text"]
    )
    _rewrite(
        Attachment.objects.filter(message__ticket_id__in=ticket_ids),
        person,
        ["original_name"],
    )

    # Mail in: the original holds every header and the whole text.
    inbound = InboundEmail.objects.filter(
        Q(ticket_id__in=ticket_ids)
        | Q(ticket_message__ticket_id__in=ticket_ids)
        | Q(sender__in=person.emails)
    ).exclude(raw="")
    files += inbound.values_list("raw", flat=True)
    inbound.update(raw="", raw_removed_at=moment)
    # Her mail's Message-ID is hers too (clients make it of the address);
    # the same bytes fed again are still known by their hash.
    InboundEmail.objects.filter(sender__in=person.emails).update(
        sender=person.placeholder_email, message_id=""
    )
    _rewrite(
        InboundEmail.objects.filter(
            Q(ticket_id__in=ticket_ids) | Q(sender=person.placeholder_email)
        ),
        person,
        ["subject", "reason"],
    )
    AutoReply.objects.filter(address__in=person.emails).update(
        address=person.placeholder_email
    )

    # Mail out: what was only for them goes; the rest forgets them. The
    # addresses are matched as text, then exactly: SQLite (`make run`) has
    # no JSON containment.
    addressed = Q(ticket_id__in=ticket_ids)
    for email in person.emails:
        addressed |= Q(to__icontains=email)
    mail = OutgoingEmail.objects.filter(addressed)
    for row in mail:
        if row.ticket_id not in ticket_ids and not any(
            address.lower() in person.emails for address in row.to
        ):
            continue
        recipients = [
            address
            for address in row.to
            if address.lower() not in person.emails
            and address != person.placeholder_email
        ]
        if not recipients:
            row.delete()
            continue
        row.to = recipients
        row.subject = person.scrub(row.subject)[:255]
        row.body = person.scrub(row.body)
        row.html_body = person.scrub(row.html_body)
        row.headers = person._clean_json(row.headers)
        row.save(update_fields=["to", "subject", "body", "html_body", "headers"])

    # Telegram: the link and all that passed through their chat.
    link = TelegramLink.objects.filter(user=user).first()
    if link is not None:
        TelegramUpdate.objects.filter(chat_id=link.chat_id).delete()
        OutgoingTelegramMessage.objects.filter(chat_id=link.chat_id).delete()
        link.delete()
    TelegramLinkToken.objects.filter(user=user).delete()

    removed = 0
    if remove_attachments:
        attached = Attachment.objects.filter(
            message__author=user, removed_at=None
        ).exclude(file="")
        files += attached.values_list("file", flat=True)
        removed = attached.update(
            file="",
            removed_at=moment,
            removal=Attachment.Removal.ERASURE,
            original_name=_("erased file"),
        )

    for kept in KeptUpload.objects.filter(owner=user):
        files.append(kept.file.name)
        kept.delete()

    requests = list(
        AccessRequest.objects.filter(
            Q(email__in=person.emails) | Q(existing_account=user)
        ).values_list("pk", flat=True)
    )
    Consent.objects.filter(Q(user=user) | Q(access_request__in=requests)).update(
        ip_address=None
    )
    AccessRequest.objects.filter(pk__in=requests).update(
        full_name=_erased_name(user),
        email=person.placeholder_email,
        phone="",
        position="",
    )
    Invitation.objects.filter(Q(email__in=person.emails) | Q(accepted_by=user)).update(
        full_name=_erased_name(user),
        email=person.placeholder_email,
        phone="",
        position="",
    )

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = person.placeholder_email
    user.full_name = _erased_name(user)
    user.position = ""
    user.phone = ""
    user.mobile_phone = ""
    user.is_active = False
    if user.has_usable_password():
        # Also ends every session: its hash was made from the old password.
        user.set_unusable_password()
    user.save()

    ticket_ids |= person.sweep()
    Ticket.objects.filter(pk__in=ticket_ids).refresh_search_index()
    transaction.on_commit(partial(conversation.forget, *ticket_ids))
    _delete_files_after_commit(files)

    if not already or removed:
        audit.record(
            AuditEntry.Action.ANONYMISED,
            actor=by,
            target=user,
            tickets=len(ticket_ids),
            files_removed=removed,
        )
        AccountEvent.objects.create(
            user=user,
            kind=AccountEvent.Kind.ERASED,
            by=by,
            note=_(
                "Tickets kept for the organisation: %(tickets)d; files removed: "
                "%(files)d."
            )
            % {"tickets": len(ticket_ids), "files": removed},
        )
    return user


def _erased_name(user: User) -> str:
    return _("Erased contact %(number)d") % {"number": user.pk}


def apply_retention(at: datetime.datetime | None = None) -> RetentionRun:
    """Remove what is kept no longer (settings `RETENTION_*_DAYS`; 0 keeps
    for ever) and record the run with what it freed:

    1. the files attached to tickets closed more than
       `RETENTION_CLOSED_ATTACHMENTS_DAYS` ago: each row stays, saying
       after how many days its file went (`Attachment.kept_days`);
    2. the originals of inbound e-mail received more than
       `RETENTION_RAW_EMAIL_DAYS` ago, once processed (the row stays, with
       `raw_removed_at`).
    A file is deleted after its row's change commits, in batches; a run
    cut short leaves the rest for the next night.
    """
    at = at or now()
    run = RetentionRun.objects.create(
        started_at=at,
        attachments_days=settings.RETENTION_CLOSED_ATTACHMENTS_DAYS,
        raw_email_days=settings.RETENTION_RAW_EMAIL_DAYS,
    )
    if run.attachments_days:
        due = Attachment.objects.filter(
            removed_at=None,
            message__ticket__status=Ticket.Status.CLOSED,
            message__ticket__closed_at__lt=at
            - datetime.timedelta(days=run.attachments_days),
        ).exclude(file="")
        while batch := list(due.values_list("pk", "file", "size")[:RETENTION_BATCH]):
            with transaction.atomic():
                Attachment.objects.filter(pk__in=[pk for pk, _f, _s in batch]).update(
                    file="",
                    removed_at=at,
                    removal=Attachment.Removal.RETENTION,
                    kept_days=run.attachments_days,
                )
                _delete_files_after_commit(name for _pk, name, _s in batch)
            run.attachments_removed += len(batch)
            run.attachment_bytes += sum(size for _pk, _f, size in batch)
    if run.raw_email_days:
        due = (
            InboundEmail.objects.filter(
                created_at__lt=at - datetime.timedelta(days=run.raw_email_days)
            )
            .exclude(raw="")
            .exclude(status=InboundEmail.Status.RECEIVED)
        )
        while batch := list(due.values_list("pk", "raw", "size")[:RETENTION_BATCH]):
            with transaction.atomic():
                InboundEmail.objects.filter(pk__in=[pk for pk, _r, _s in batch]).update(
                    raw="", raw_removed_at=at
                )
                _delete_files_after_commit(name for _pk, name, _s in batch)
            run.raw_emails_removed += len(batch)
            run.raw_email_bytes += sum(size for _pk, _r, size in batch)
    run.finished_at = now()
    run.save()
    return run
