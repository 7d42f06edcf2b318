"""Reading a mail: headers in any charset, the text and files of any MIME
shape, loops and automatic mail (RFC 3834), and the ticket references it names."""

from __future__ import annotations

import logging
import mimetypes
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import Header, decode_header, make_header
from email.message import Message as MailMessage
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

from tickets.email.text import html_to_text

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


def message_id_header(msg: MailMessage) -> str:
    return header_text(msg, "Message-ID").strip()[:255]


def sender_address(msg: MailMessage) -> str:
    address = parseaddr(header_text(msg, "From"))[1].strip().lower()
    return address if "@" in address and len(address) <= 254 else ""


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
