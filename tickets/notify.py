"""One way to tell people of a ticket event, whatever the channel.

`notify()` claims the event, then each channel says what it has to say:
e-mail to the customers and the assignee (`tickets.email.outgoing`), a
staff reply with its files, a status change and the rating question to the
Telegram chats that follow the ticket (`tickets.telegram.notify`), both
asking for the rating when the event closed the ticket (`closes_ticket`), and
integrations' webhooks and staff's notifications (`publish_event`, through
`outbox.events`, which the webhooks and notifications apps listen to). Called inside
the transaction that made the change, so each channel's outbox rows commit
(or roll back) with it.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.urls import reverse
from django.utils.timezone import now

from outbox import events
from tickets.email.outgoing import mail_event
from tickets.models import Message, Ticket, TicketEvent
from tickets.telegram.notify import tell_followers

# An internal note, published for staff's notifications (mentions). No
# integration ever hears of it: endpoints choose among
# `webhooks.models.EventType`, which does not list it.
NOTE_ADDED = "ticket.note_added"

# The event each kind of ticket event is published as, to integrations'
# webhooks and to the automation's triggers; other kinds (priority,
# category, links…) are not published.
WEBHOOK_TYPES = {
    TicketEvent.Kind.CREATED: "ticket.created",
    TicketEvent.Kind.MESSAGE: "ticket.message_added",
    TicketEvent.Kind.STATUS: "ticket.status_changed",
    TicketEvent.Kind.ASSIGNEE: "ticket.assigned",
    TicketEvent.Kind.RATED: "ticket.rated",
    TicketEvent.Kind.TAGS: "ticket.tags_changed",
}


def notify(event: TicketEvent, *, closing: bool = False) -> int:
    """Queue every message about one event, once: the event is claimed first.
    Returns how many messages were queued.

    `closing`: the event is a reply sent with the change to closed, which
    `services.add_message` tells in the reply's own messages; they ask for
    the rating then, as the change's would (`closes_ticket`)."""
    claimed = TicketEvent.objects.filter(pk=event.pk, notified_at=None).update(
        notified_at=now()
    )
    if claimed != 1:
        return 0
    publish_event(event)
    closes = closes_ticket(event, closing=closing)
    return mail_event(event, closes=closes) + tell_followers(event, closes=closes)


def closes_ticket(event: TicketEvent, *, closing: bool = False) -> bool:
    """Whether the event closed the ticket: the change to closed, or a reply
    sent with it. What every channel says of such an event asks the
    customers for a rating, if the ticket can still be rated
    (`Ticket.awaits_rating`); only what closes asks, so a later reply to a
    closed ticket does not ask again, and a resolved one is not asked yet
    (it closes by itself, or reopens)."""
    return closing or (
        event.kind == TicketEvent.Kind.STATUS
        and event.new_value == Ticket.Status.CLOSED
    )


def ticket_data(ticket: Ticket) -> dict:
    """What every ticket webhook says of its ticket."""
    return {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "organisation": {
            "name": ticket.organisation.name,
            "tax_id": ticket.organisation.tax_id,
        },
        "url": settings.SITE_URL.rstrip("/")
        + reverse("api:ticket", kwargs={"reference": ticket.reference}),
    }


def _message_data(message: Message) -> dict:
    return {
        "id": str(message.code),
        "author": message.author.get_full_name(),
        "body": message.body,
        "from_support": message.kind == Message.Kind.REPLY,
        "created_at": message.created_at.isoformat(),
    }


def publish_event(event: TicketEvent) -> bool:
    """Publish a ticket event for integrations' webhooks, the automation's
    triggers and staff's notifications, in the caller's transaction. An
    internal note as `NOTE_ADDED`, which no webhook delivers; kinds nobody
    hears of are skipped. True when published. Events that reach no
    `notify()` (an assignment, a rating, a status set with a message) are
    published by their service directly."""
    kind = WEBHOOK_TYPES.get(event.kind)
    message = event.message
    if kind is None:
        return False
    if message is not None and message.is_internal:
        kind = NOTE_ADDED
    ticket = event.ticket
    events.publish(
        kind,
        organisation_id=ticket.organisation_id,
        key=ticket.reference,
        data=partial(_event_data, event),
        source=event,
    )
    return True


def _event_data(event: TicketEvent) -> dict:
    ticket = event.ticket
    data = {"ticket": ticket_data(ticket)}
    if event.kind == TicketEvent.Kind.MESSAGE:
        data["message"] = _message_data(event.message)
    elif event.kind == TicketEvent.Kind.STATUS:
        data["old_status"], data["new_status"] = event.old_value, event.new_value
    elif event.kind == TicketEvent.Kind.ASSIGNEE:
        assignee = ticket.assignee
        data["assignee"] = (
            {"name": assignee.get_full_name(), "email": assignee.email}
            if assignee is not None
            else None
        )
    elif event.kind == TicketEvent.Kind.RATED:
        data["score"] = int(event.new_value)
    elif event.kind == TicketEvent.Kind.TAGS:
        data["tags"] = [tag for tag in event.new_value.split(", ") if tag]
    return data


def publish_sla_warning(
    ticket: Ticket, *, breached: bool, due_at: datetime.datetime
) -> None:
    events.publish(
        "ticket.sla_breached" if breached else "ticket.sla_warning",
        organisation_id=ticket.organisation_id,
        key=ticket.reference,
        data=lambda: {"ticket": ticket_data(ticket), "due_at": due_at.isoformat()},
        source=ticket,
    )
