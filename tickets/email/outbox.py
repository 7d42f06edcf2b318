"""Ticket e-mail into the one outbox (`outbox.email`), tagged with its ticket.

A reply to a ticket's mail comes back to `support+<reference>@`, so it joins
the ticket; the outbox row keeps the ticket's id. Claiming, sending once and
sweeping are the outbox's.
"""

from __future__ import annotations

from django.conf import settings

from outbox import email as email_outbox
from outbox.models import OutgoingEmail
from tickets.models import Ticket


def reply_to_address(ticket: Ticket) -> str:
    """support+hd-2026-000123@domain: a reply comes back tagged with its ticket."""
    local, _at, domain = settings.SUPPORT_EMAIL.partition("@")
    return f"{local}+{ticket.reference.lower()}@{domain}"


def queue(
    to: list[str],
    *,
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict[str, str] | None = None,
    ticket: Ticket | None = None,
) -> OutgoingEmail:
    """Write the message to the outbox; a worker sends it after commit."""
    headers = dict(headers or {})
    if ticket is not None:
        headers.setdefault("Reply-To", reply_to_address(ticket))
    return email_outbox.queue(
        to,
        subject=subject,
        body=body,
        html_body=html_body,
        headers=headers,
        ticket_id=ticket.pk if ticket is not None else None,
    )
