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

import contextlib
import hashlib
import imaplib
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import Header, decode_header, make_header
from email.message import Message as MailMessage
from email.utils import getaddresses, parseaddr

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

from accounts.models import Licence, Membership, Standing, User
from tickets import outbox, services
from tickets.email_text import html_to_text
from tickets.models import AutoReply, InboundEmail, Message, Ticket

logger = logging.getLogger(__name__)

# A message body longer than this is cut in the ticket; the original keeps it all.
MAX_BODY_CHARS = 100_000
MAX_DEPTH = 20
LOOP_PRECEDENCE = {"bulk", "junk", "list"}
REPORT_TYPES = {
    "multipart/report",
    "message/delivery-status",
    "message/disposition-notification",
    "message/feedback-report",
}


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text: the declared charset, else UTF-8, Windows-1251, Latin-1."""
    for candidate in (charset, "utf-8", "cp1251"):
        if not candidate or candidate.lower() in {"unknown-8bit", "x-unknown"}:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def header_text(msg: MailMessage, name: str) -> str:
    """A header decoded (RFC 2047, raw 8-bit) to one line; "" when absent or broken."""
    try:
        value = msg.get(name)
    except Exception:
        return ""
    if value is None:
        return ""
    try:
        # Raw 8-bit bytes (not RFC 2047) come as "unknown-8bit": guess.
        parts = [
            (_decode_bytes(chunk, None).encode(), "utf-8")
            if isinstance(chunk, bytes) and (charset or "").lower() == "unknown-8bit"
            else (chunk, charset)
            for chunk, charset in decode_header(value)
        ]
        text = str(make_header(parts))
    except Exception:
        try:
            text = "".join(
                _decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
                for chunk, charset in decode_header(value)
            )
        except Exception:
            text = str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.split())


def _message_id(msg: MailMessage) -> str:
    return header_text(msg, "Message-ID").strip()[:255]


def sender_address(msg: MailMessage) -> str:
    address = parseaddr(header_text(msg, "From"))[1].strip().lower()
    return address if "@" in address and len(address) <= 254 else ""


# 1. Storing ---------------------------------------------------------------


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
        message_id, sender = _message_id(headers), sender_address(headers)
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


# 2. Parsing ---------------------------------------------------------------


@dataclass
class MailFile:
    name: str
    content: bytes
    content_type: str


@dataclass
class ParsedMail:
    body: str = ""
    files: list[MailFile] = field(default_factory=list)


def _file_name(part: MailMessage, content_type: str, number: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if name:
        name = str(make_header(decode_header(name))) if "=?" in name else name
        name = _lenient(name.encode("utf-8", "surrogateescape"))
    if "\ufffd" in name:
        # Raw 8-bit bytes in the header: read the parameter from the bytes.
        name = _raw_parameter(part, "Content-Disposition", "filename") or (
            _raw_parameter(part, "Content-Type", "name") or name
        )
    # Only the last path component, without control characters.
    name = re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip().strip(".")
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"part-{number}{extension}"
    return name[-200:]


def _lenient(data: bytes) -> str:
    """UTF-8 even when cut mid-character (a common mailer bug), else Windows-1251."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        lenient = data.decode("utf-8", "replace")
        return (
            lenient if lenient.count("\ufffd") <= 2 else _decode_bytes(data, "cp1251")
        )


def _raw_parameter(part: MailMessage, header: str, parameter: str) -> str:
    value = part.get(header)
    if not isinstance(value, Header):
        return ""
    data = b"".join(
        chunk if isinstance(chunk, bytes) else chunk.encode("utf-8", "surrogateescape")
        for chunk, _charset in decode_header(value)
    )
    match = re.search(rf'{parameter}\s*=\s*"?([^";\r\n]+)', _lenient(data), re.I)
    return match.group(1).replace("\ufffd", "").strip() if match else ""


def _payload_bytes(part: MailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", "replace") if isinstance(payload, str) else b""


def parse(raw: bytes) -> tuple[MailMessage, ParsedMail]:
    msg = message_from_bytes(raw, policy=policy.compat32)
    parsed = ParsedMail()
    plain: list[str] = []
    html: list[str] = []

    def visit(part: MailMessage, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        content_type = part.get_content_type()
        disposition = (
            str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        )
        if content_type == "message/external-body":
            return  # a pointer to content elsewhere: never fetched
        if content_type.startswith("message/"):
            # A forwarded message is kept whole, as a file of its own.
            try:
                inner = part.get_payload(0)
                data = inner.as_bytes() if isinstance(inner, MailMessage) else b""
            except Exception:
                data = b""
            data = data or _payload_bytes(part)
            name = _file_name(part, "message/rfc822", len(parsed.files) + 1)
            if not name.lower().endswith(".eml"):
                name = (
                    name.rsplit(".", 1)[0] if name.startswith("part-") else name
                ) + ".eml"
            parsed.files.append(MailFile(name, data, "message/rfc822"))
            return
        if part.is_multipart():
            children = [p for p in part.get_payload() if isinstance(p, MailMessage)]
            if content_type == "multipart/alternative":
                texts = [c for c in children if c.get_content_type() == "text/plain"]
                children = texts[:1] or children[-1:]
            for child in children:
                visit(child, depth + 1)
            return
        try:
            named = disposition != "inline" and bool(part.get_filename())
        except Exception:
            named = False
        if (
            content_type in {"text/plain", "text/html"}
            and disposition != "attachment"
            and not named
        ):
            text = _decode_bytes(_payload_bytes(part), part.get_content_charset())
            (plain if content_type == "text/plain" else html).append(text)
            return
        data = _payload_bytes(part)
        name = _file_name(part, content_type, len(parsed.files) + 1)
        parsed.files.append(MailFile(name, data, content_type))

    visit(msg, 0)
    if plain:
        body = "\n\n".join(t.strip("\r\n") for t in plain)
    else:
        body = "\n\n".join(html_to_text(t) for t in html)
    body = body.replace("\r\n", "\n").replace("\x00", "")
    if len(body) > MAX_BODY_CHARS:
        body = (
            body[:MAX_BODY_CHARS]
            + "\n\n"
            + _("(The text is cut here; the original e-mail keeps all of it.)")
        )
    parsed.body = body.strip()
    return msg, parsed


# 3. Rules -----------------------------------------------------------------


def loop_reason(msg: MailMessage) -> tuple[str, str] | None:
    """Why this is automatic mail that must neither open a ticket nor be answered."""
    auto = header_text(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return "auto_submitted", _("Automatic message (Auto-Submitted: %(value)s).") % {
            "value": auto
        }
    if header_text(msg, "X-Autoreply") or header_text(msg, "X-Autorespond"):
        return "auto_submitted", _("Automatic message (an auto-reply header).")
    precedence = header_text(msg, "Precedence").strip().lower()
    if precedence in LOOP_PRECEDENCE:
        return "precedence", _("Bulk or list mail (Precedence: %(value)s).") % {
            "value": precedence
        }
    return_path = msg.get_all("Return-Path") or []
    if any(str(value).strip() == "<>" for value in return_path):
        return "null_return_path", _("A delivery notice (empty Return-Path).")
    for part in msg.walk():
        if part.get_content_type() in REPORT_TYPES:
            return "report", _("A delivery, read or complaint report (%(type)s).") % {
                "type": part.get_content_type()
            }
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN.lower()
    if any(domain in str(value).lower() for value in msg.get_all("X-Loop") or []):
        return "our_loop", _("Our own mail came back (X-Loop).")
    sender = sender_address(msg)
    if sender == settings.SUPPORT_EMAIL.lower() or sender.split("@")[0] in {
        "mailer-daemon",
        "postmaster",
    }:
        return "mailer_daemon", _("Sent by a mail system (%(sender)s).") % {
            "sender": sender
        }
    return None


def _reference_pattern() -> str:
    return rf"{re.escape(settings.TICKET_REFERENCE_PREFIX)}-\d{{4}}-\d{{6}}"


def thread_references(msg: MailMessage) -> list[str]:
    """Ticket references named by our own Message-IDs in In-Reply-To/References."""
    pattern = re.compile(
        rf"<({_reference_pattern()})(?:\.[\w.-]+)?@{re.escape(settings.EMAIL_MESSAGE_ID_DOMAIN)}>",
        re.I,
    )
    text = header_text(msg, "In-Reply-To") + " " + header_text(msg, "References")
    return [match.upper() for match in pattern.findall(text)]


def token_references(msg: MailMessage) -> list[str]:
    """References in the subject ([HD-2026-000123]) or a support+hd-… address."""
    found = [
        match.upper()
        for match in re.findall(
            rf"\[({_reference_pattern()})\]", header_text(msg, "Subject"), re.I
        )
    ]
    local, _at, domain = settings.SUPPORT_EMAIL.lower().partition("@")
    plus = re.compile(
        rf"^{re.escape(local)}\+({_reference_pattern()})@{re.escape(domain)}$", re.I
    )
    recipients = [
        header_text(msg, name) for name in ("To", "Cc", "Delivered-To", "X-Original-To")
    ]
    for _name, address in getaddresses(recipients):
        match = plus.match(address.strip())
        if match:
            found.append(match.group(1).upper())
    return found


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
    named = {
        match.upper()
        for match in re.findall(settings.LICENCE_NUMBER_REGEX, text, re.IGNORECASE)
    }
    mentioned = [licence for licence in licences if licence.number.upper() in named]
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

    user = User.objects.filter(email__iexact=address).first()
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
    membership = (
        Membership.objects.filter(user=user).select_related("organisation").first()
        if user is not None
        else None
    )
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
) -> InboundEmail:
    """Staff file held mail: as a new ticket of a contact and licence, or into a ticket."""
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


# 6. The mailbox -----------------------------------------------------------


def poll_mailbox() -> int:
    """Fetch every message of the IMAP folder; delete each once it is stored and processed."""
    if not settings.IMAP_HOST:
        return 0
    connection_class = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    connection = connection_class(settings.IMAP_HOST, settings.IMAP_PORT, timeout=60)
    fetched = 0
    try:
        connection.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
        status, _data = connection.select(f'"{settings.IMAP_FOLDER}"')
        if status != "OK":
            raise OSError(f"IMAP folder {settings.IMAP_FOLDER} cannot be opened")
        status, data = connection.uid("SEARCH", None, "UNDELETED")
        uids = data[0].split() if data and data[0] else []
        for uid in uids[: settings.IMAP_BATCH_SIZE]:
            status, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1),
                None,
            )
            if status != "OK" or raw is None:
                continue
            ingest(raw, source=InboundEmail.Source.IMAP)  # committed on return
            connection.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)")
            fetched += 1
        connection.expunge()
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
    return fetched
