"""Mail in: one pipeline for the IMAP poller and `manage.py ingest_email`.

1. `store_raw()` keeps the message as it arrived (sha256, Message-ID) and
   commits; the same bytes or the same Message-ID again return the stored row,
   also when several copies arrive at once (unique sha256 and Message-ID).
2. `process()` parses it and, in one transaction with the row's new status:
   - ignores automatic mail (RFC 3834: Auto-Submitted, Precedence, empty
     Return-Path, delivery and read reports, our own X-Loop), never answering;
   - attaches a reply to its ticket when the sender is a party to it (found by
     our Message-IDs in In-Reply-To/References, or by the reference in the
     subject or the plus-address), so a guessed reference opens nothing;
   - otherwise opens a ticket for a known contact with active support;
   - otherwise holds the mail for staff with the reason, and answers an
     unknown or lapsed sender once a day.
3. The poller deletes a message from the mailbox only after both committed.
   If the database goes away in between, the row stays received and the
   message stays in the mailbox (or with the MTA): the next poll or delivery
   stores nothing new and finishes the processing.
"""

from __future__ import annotations

import hashlib
import logging
from email import message_from_bytes, policy
from email.message import Message as MailMessage

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    transaction,
)
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.timezone import localdate, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Licence, Membership, Standing, User
from accounts.validators import licence_numbers_in, normalise_licence_number
from tickets import services
from tickets.email import outbox
from tickets.email.parsing import (
    MailFile,
    ParsedMail,
    header_text,
    loop_reason,
    message_id_header,
    parse,
    sender_address,
    thread_references,
    token_references,
)
from tickets.models import AutoReply, InboundEmail, Message, Ticket

logger = logging.getLogger(__name__)


# 1. Storing ---------------------------------------------------------------


# Said when staff retry or file a message whose raw text `privacy` removed.
RAW_REMOVED = gettext_noop(
    "The original of this e-mail has been removed (retention or erasure of "
    "personal data); it can no longer be processed."
)


def _existing(digest: str, message_id: str) -> InboundEmail | None:
    found = InboundEmail.objects.filter(sha256=digest).first()
    if found is None and message_id:
        found = InboundEmail.objects.filter(message_id=message_id).first()
    return found


def store_raw(raw: bytes, *, source: str) -> tuple[InboundEmail, bool]:
    """Keep the message before anything else; (row, False) when it was already here."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        headers = message_from_bytes(raw, policy=policy.compat32)
        message_id, sender = message_id_header(headers), sender_address(headers)
        subject = header_text(headers, "Subject")[:255]
    except Exception:
        message_id = sender = subject = ""
    found = _existing(digest, message_id)
    if found is not None:
        return found, False
    inbound = InboundEmail(
        sha256=digest,
        message_id=message_id,
        sender=sender,
        subject=subject,
        size=len(raw),
        source=source,
    )
    inbound.raw.save(f"{digest}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            inbound.save()
    except IntegrityError:
        # Fed twice at once: the other copy won; ours is only a spare file.
        inbound.raw.delete(save=False)
        found = _existing(digest, message_id)
        if found is None:
            raise
        return found, False
    except DatabaseError:
        inbound.raw.delete(save=False)  # not stored: the sender tries again
        raise
    return inbound, True


def ingest(raw: bytes, *, source: str) -> InboundEmail:
    """Store, then process what is not processed yet, this copy or an earlier one.

    A failure to route is recorded, not raised; only a database that went away
    raises, and then the stored row waits for the sender's retry.
    """
    inbound, _created = store_raw(raw, source=source)
    if inbound.status == InboundEmail.Status.RECEIVED:
        inbound = process(inbound)
    return inbound


def party_author(ticket: Ticket, address: str) -> User | None:
    """Who writes, if the address belongs to one of the ticket's customers:
    its contact, a copied colleague or a manager of its organisation.

    Whether that person may still write is `User.may_act`'s to say."""
    if address and address == ticket.contact_email.lower():
        return ticket.contact
    user = (
        User.objects.filter(email__iexact=address).select_related("membership").first()
    )
    if user is None or user.is_staff:
        return None
    if user.pk == ticket.contact_id or ticket.cc.filter(pk=user.pk).exists():
        return user
    membership = user.membership_or_none
    if (
        membership is not None
        and membership.organisation_id == ticket.organisation_id
        and membership.role == Membership.Role.MANAGER
    ):
        return user
    return None


def _uploads(files: list[MailFile]) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The files the ticket may keep, and a line for each one it may not."""
    kept: list[SimpleUploadedFile] = []
    dropped: list[str] = []
    for mail_file in files:
        extension = (
            "." + mail_file.name.rsplit(".", 1)[-1].lower()
            if "." in mail_file.name
            else ""
        )
        if extension not in settings.TICKET_ATTACHMENT_EXTENSIONS:
            dropped.append(
                _("%(name)s: files of this type are not attached")
                % {"name": mail_file.name}
            )
        elif len(mail_file.content) > settings.TICKET_ATTACHMENT_MAX_BYTES:
            dropped.append(
                _("%(name)s: larger than %(limit)d MB")
                % {
                    "name": mail_file.name,
                    "limit": settings.TICKET_ATTACHMENT_MAX_BYTES // 2**20,
                }
            )
        elif len(kept) >= settings.TICKET_ATTACHMENT_MAX_FILES:
            dropped.append(
                _("%(name)s: more than %(count)d files")
                % {
                    "name": mail_file.name,
                    "count": settings.TICKET_ATTACHMENT_MAX_FILES,
                }
            )
        else:
            kept.append(
                SimpleUploadedFile(
                    mail_file.name, mail_file.content, mail_file.content_type
                )
            )
    return kept, dropped


def _body_with_notes(parsed: ParsedMail, dropped: list[str]) -> str:
    body = parsed.body
    if dropped:
        note = _("Not attached (the original e-mail, kept by support, has them):")
        body += "\n\n---\n" + note + "\n" + "\n".join(f"- {line}" for line in dropped)
    return body.strip() or _("(The e-mail had no text.)")


def licence_for(membership: Membership, text: str) -> tuple[Licence | None, str]:
    """The licence a new ticket is for, or ("", reason code) when staff must choose."""
    licences = list(Licence.objects.filter(organisation_id=membership.organisation_id))
    active = [licence for licence in licences if licence.subscription_active()]
    named = licence_numbers_in(text)
    mentioned = [
        licence
        for licence in licences
        if normalise_licence_number(licence.number) in named
    ]
    if mentioned:
        usable = [licence for licence in mentioned if licence in active]
        return (usable[0], "") if usable else (None, "no_active_subscription")
    if not membership.organisation.is_active or not active:
        return None, "no_active_subscription"
    if len(active) == 1:
        return active[0], ""
    return None, "choose_licence"


# 4. Processing ------------------------------------------------------------


def _finish(
    inbound: InboundEmail,
    status: str,
    code: str,
    reason: str,
    *,
    ticket: Ticket | None = None,
    message: Message | None = None,
) -> InboundEmail:
    inbound.status = status
    inbound.reason_code = code
    inbound.reason = reason
    inbound.ticket = ticket
    inbound.ticket_message = message
    inbound.processed_at = now()
    inbound.save(
        update_fields=[
            "status",
            "reason_code",
            "reason",
            "ticket",
            "ticket_message",
            "processed_at",
        ]
    )
    return inbound


def process(inbound: InboundEmail) -> InboundEmail:
    """Route one stored message; a received (or retried) message only."""
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.status != InboundEmail.Status.RECEIVED:
            return inbound
        try:
            # A savepoint: an error undoes the ticket change, not the record of it.
            with transaction.atomic():
                return _route(inbound)
        except services.TicketError as error:
            return _finish(
                inbound, InboundEmail.Status.HELD, "ticket_error", str(error)
            )
        except (OperationalError, InterfaceError):
            # The connection is gone, so nothing can be recorded; the message
            # is not at fault and must not wait for staff as "failed".
            raise
        except Exception as error:
            logger.exception("Inbound e-mail %s could not be processed", inbound.pk)
            return _finish(
                inbound,
                InboundEmail.Status.FAILED,
                "error",
                _("Could not be processed: %(error)s")
                % {"error": f"{type(error).__name__}: {error}"[:500]},
            )


def _route(inbound: InboundEmail) -> InboundEmail:
    with inbound.raw.open("rb") as stored:
        raw = stored.read()
    msg, parsed = parse(raw)
    looped = loop_reason(msg)
    if looped:
        return _finish(inbound, InboundEmail.Status.IGNORED, *looped)
    address = sender_address(msg)
    if not address:
        return _finish(
            inbound,
            InboundEmail.Status.HELD,
            "no_sender",
            _("The sender's address could not be read."),
        )
    subject = header_text(msg, "Subject")
    files, dropped = _uploads(parsed.files)
    body = _body_with_notes(parsed, dropped)

    # A reply: the ticket named by our Message-IDs or by its reference, if
    # the sender is a party to it. Anyone else naming it is treated as new mail.
    references = thread_references(msg) + token_references(msg)
    for reference in dict.fromkeys(references):
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is None:
            continue
        author = party_author(ticket, address)
        if author is None:
            continue
        standing = author.standing(ticket.organisation_id)
        if standing != Standing.GOOD:
            return _finish(
                inbound,
                InboundEmail.Status.HELD,
                "no_access",
                _(
                    "%(address)s may no longer write in %(reference)s: "
                    "%(why)s. Nothing was added to the ticket."
                )
                % {
                    "address": address,
                    "reference": ticket.reference,
                    "why": standing.label,
                },
                ticket=ticket,
            )
        message = services.add_message(
            ticket,
            author=author,
            body=body,
            attachments=files,
            channel=Ticket.Channel.EMAIL,
        )
        return _finish(
            inbound,
            InboundEmail.Status.PROCESSED,
            "reply",
            _("Added to ticket %(reference)s.") % {"reference": ticket.reference},
            ticket=ticket,
            message=message,
        )

    user = (
        User.objects.filter(email__iexact=address)
        .select_related("membership__organisation")
        .first()
    )
    if user is not None and not user.is_active:
        return _finish(
            inbound,
            InboundEmail.Status.HELD,
            "no_access",
            _("The sender %(address)s may no longer file tickets: %(why)s.")
            % {"address": address, "why": Standing.DEACTIVATED.label},
        )
    if user is not None and user.is_staff:
        return _finish(
            inbound,
            InboundEmail.Status.HELD,
            "staff_sender",
            _("Sent from a staff address; staff reply in the portal."),
        )
    membership = user.membership_or_none if user is not None else None
    if membership is None:
        _auto_reply(inbound, msg, address, "unknown_sender")
        return _finish(
            inbound,
            InboundEmail.Status.HELD,
            "unknown_sender",
            _("The sender %(address)s is not a contact of any organisation.")
            % {"address": address},
        )
    licence, problem = licence_for(membership, f"{subject}\n{parsed.body}")
    if problem == "no_active_subscription":
        _auto_reply(inbound, msg, address, "no_active_subscription")
        return _finish(
            inbound,
            InboundEmail.Status.HELD,
            problem,
            _("%(organisation)s has no licence with active support.")
            % {"organisation": membership.organisation.name},
        )
    if licence is None:
        return _finish(
            inbound,
            InboundEmail.Status.HELD,
            "choose_licence",
            _(
                "%(organisation)s has several licences with active support "
                "and the e-mail names none of them."
            )
            % {"organisation": membership.organisation.name},
        )
    ticket = services.open_ticket(
        contact=user,
        licence=licence,
        subject=subject[:200] or _("(no subject)"),
        description=body,
        category=Ticket.Category.OTHER,
        contact_email=address,
        channel=Ticket.Channel.EMAIL,
        attachments=files,
    )
    return _finish(
        inbound,
        InboundEmail.Status.PROCESSED,
        "new_ticket",
        _("Opened ticket %(reference)s.") % {"reference": ticket.reference},
        ticket=ticket,
        message=ticket.messages.first(),
    )


def _auto_reply(
    inbound: InboundEmail, msg: MailMessage, address: str, kind: str
) -> bool:
    """Tell the sender how to get access or renew: once per address per day."""
    try:
        with transaction.atomic():
            AutoReply.objects.create(
                address=address, sent_on=localdate(), inbound=inbound
            )
    except IntegrityError:
        return False
    context = {
        "kind": kind,
        "site_url": settings.SITE_URL,
        "support_email": settings.SUPPORT_EMAIL,
        "subject": header_text(msg, "Subject")[:200],
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("tickets/email/auto_reply_subject.txt", context)
        body = render_to_string("tickets/email/auto_reply.txt", context)
    headers = {"Auto-Submitted": "auto-replied"}
    if inbound.message_id:
        headers["In-Reply-To"] = inbound.message_id
        headers["References"] = inbound.message_id
    outbox.queue([address], subject=subject, body=body, headers=headers)
    return True


# 5. Staff decisions -------------------------------------------------------


@transaction.atomic
def retry(inbound: InboundEmail) -> InboundEmail:
    """Run a held, failed or stuck message through the pipeline again."""
    if not inbound.raw:
        raise services.TicketError(_(RAW_REMOVED))
    updated = (
        InboundEmail.objects.filter(pk=inbound.pk)
        .waiting_for_staff(now())
        .update(status=InboundEmail.Status.RECEIVED)
    )
    if updated != 1:
        raise services.TicketError(_("Only held or failed mail can be retried."))
    return process(inbound)


@transaction.atomic
def assign(
    inbound: InboundEmail,
    *,
    by: User,
    contact: User,
    licence: Licence | None = None,
    ticket: Ticket | None = None,
    override_reason: str = "",
) -> InboundEmail:
    """Staff file held mail: as a new ticket of a contact and licence (one
    without active support with a recorded reason), or into a ticket."""
    inbound = (
        InboundEmail.objects.select_for_update()
        .waiting_for_staff(now())
        .filter(pk=inbound.pk)
        .first()
    )
    if inbound is None:
        raise services.TicketError(_("This e-mail has already been dealt with."))
    if (licence is None) == (ticket is None):
        raise services.TicketError(_("Choose a licence or a ticket, not both."))
    organisation_id = (ticket or licence).organisation_id
    if not contact.may_act(organisation_id):
        raise services.TicketError(
            _("%(name)s may not act for this organisation: %(why)s.")
            % {
                "name": contact.get_full_name(),
                "why": contact.standing(organisation_id).label,
            }
        )
    if not inbound.raw:
        raise services.TicketError(_(RAW_REMOVED))
    with inbound.raw.open("rb") as stored:
        msg, parsed = parse(stored.read())
    files, dropped = _uploads(parsed.files)
    body = _body_with_notes(parsed, dropped)
    if ticket is not None:
        message = services.add_message(
            ticket,
            author=contact,
            body=body,
            attachments=files,
            channel=Ticket.Channel.EMAIL,
        )
    else:
        ticket = services.open_ticket(
            contact=contact,
            licence=licence,
            subject=header_text(msg, "Subject")[:200] or _("(no subject)"),
            description=body,
            category=Ticket.Category.OTHER,
            channel=Ticket.Channel.EMAIL,
            attachments=files,
            filed_by=by,
            override_reason=override_reason,
        )
        message = ticket.messages.first()
    return _finish(
        inbound,
        InboundEmail.Status.PROCESSED,
        "assigned",
        _("Filed by %(name)s into %(reference)s.")
        % {"name": by.full_name or by.email, "reference": ticket.reference},
        ticket=ticket,
        message=message,
    )
