"""E-mail about ticket events: who hears of what, in their language, threaded.

Every message goes through the outbox (`tickets.email.outbox`, then `outbox.email`) with `Reply-To:
support+<reference>@...`, so a customer's reply comes back into the ticket.
Every message of a ticket carries the ticket's root Message-ID in
`In-Reply-To` and `References`, so mail clients thread them, and replies can be
matched to the ticket when mail comes in. Internal notes are never mailed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.timezone import now

from accounts.models import User
from schedule import current as support_hours
from tickets import rating_links
from tickets.email import outbox
from tickets.models import Message, NotificationSettings, Ticket, TicketEvent


def thread_id(ticket: Ticket) -> str:
    return f"<{ticket.reference.lower()}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def message_id(event: TicketEvent) -> str:
    return f"<{event.ticket.reference.lower()}.{event.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    user: User | None = None


def _wants(user: User | None, setting: str) -> bool:
    if user is None:
        return True
    preferences = NotificationSettings.objects.filter(user=user).first()
    return preferences is None or getattr(preferences, setting)


def _contact(ticket: Ticket) -> list[Recipient]:
    if not ticket.contact.may_act(ticket.organisation_id):
        return []
    return [Recipient(ticket.contact_email, ticket.contact.language, ticket.contact)]


def _customers(ticket: Ticket, setting: str) -> list[Recipient]:
    """The contact and the copied colleagues who may still act for the
    ticket's organisation (`User.may_act`) and want to hear of it."""
    recipients = _contact(ticket)
    recipients += [
        Recipient(user.email, user.language, user)
        for user in ticket.cc.select_related("membership")
        if user.email != ticket.contact_email and user.may_act(ticket.organisation_id)
    ]
    return [r for r in recipients if _wants(r.user, setting)]


def recipients_for(event: TicketEvent) -> tuple[str, list[Recipient]]:
    """The template to use and who should receive it; nobody for internal notes."""
    ticket = event.ticket
    if event.kind == TicketEvent.Kind.CREATED:
        return "tickets/email/ticket_filed", _contact(ticket)
    if event.kind == TicketEvent.Kind.MESSAGE and event.message is not None:
        if event.message.kind == Message.Kind.REPLY:
            return "tickets/email/staff_reply", _customers(ticket, "on_reply")
        # A customer's message reaches staff as a notification
        # (`notifications`), under each person's quiet hours and digests.
        return "", []
    if event.kind == TicketEvent.Kind.MERGED and ticket.merged_into_id is not None:
        # The duplicate's people; the target's already follow it.
        return "tickets/email/ticket_merged", _customers(ticket, "on_status_change")
    if event.kind == TicketEvent.Kind.STATUS and event.actor != ticket.contact:
        return "tickets/email/status_changed", _customers(ticket, "on_status_change")
    return "", []


def mail_event(event: TicketEvent, *, closes: bool = False) -> int:
    """Write the e-mails about one event to the outbox; how many were written.

    `tickets.notify.notify` calls it once per event, and says whether the
    event closed the ticket (`tickets.notify.closes_ticket`): the change to
    closed, or the reply sent with it, which tells it."""
    template, recipients = recipients_for(event)
    duplicate = event.ticket
    # A merged duplicate's news threads into the ticket it now lives in, so
    # that a reply lands there.
    ticket = duplicate.merged_into or duplicate
    headers = {
        "Message-ID": thread_id(ticket)
        if event.kind == TicketEvent.Kind.CREATED
        else message_id(event),
        "X-Loop": settings.EMAIL_MESSAGE_ID_DOMAIN,
        "X-Helpdesk-Ticket": ticket.reference,
    }
    # What closes the ticket asks for the rating, as Telegram's message does:
    # each customer's e-mail has links of their own.
    ask_rating = closes and bool(recipients) and duplicate.awaits_rating()
    if event.kind != TicketEvent.Kind.CREATED:
        headers["In-Reply-To"] = thread_id(ticket)
        headers["References"] = thread_id(ticket)
    if event.actor is None or event.kind in {
        TicketEvent.Kind.CREATED,
        TicketEvent.Kind.STATUS,
    }:
        headers["Auto-Submitted"] = "auto-generated"
    for recipient in recipients:
        context = {
            "ticket": ticket,
            "duplicate": duplicate,
            "event": event,
            "message": event.message
            if event.message and not event.message.is_internal
            else None,
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "support_email": settings.SUPPORT_EMAIL,
            "next_opening": _next_opening_if_closed(),
            "rating_link_days": settings.RATING_LINK_MAX_AGE_DAYS,
        }
        with translation.override(recipient.language):
            context["rating_links"] = (
                rating_links.links_for(duplicate, recipient.user)
                if ask_rating and recipient.user is not None
                else []
            )
            subject = " ".join(f"[{ticket.reference}] {ticket.subject}".split())
            body = render_to_string(f"{template}.txt", context)
            html_body = render_to_string(f"{template}.html", context)
        outbox.queue(
            [recipient.email],
            subject=subject,
            body=body,
            html_body=html_body,
            headers=headers,
            ticket=ticket,
        )
    return len(recipients)


def _next_opening_if_closed():
    status = support_hours.status(now())
    return None if status.is_open else status.opens_at
