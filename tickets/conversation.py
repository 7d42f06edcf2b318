"""A ticket's conversation, its messages and events as the ticket page shows
them, rendered once and cached until it changes.

The one piece of rendered HTML the site caches: a fifth of a staff ticket
page went into reading the messages with their authors and attachments and
rendering them, and without it the page misses its target (bench/README.md,
"Cached HTML"); the conversation changes far less often than it is read. Each ticket's cache has
its own version, replaced whenever one of its messages, attachments or events
is saved or deleted (`tickets.signals`; the services that write them in bulk
call `forget`), and the names shown depend on a second version, replaced when
any user's name changes. The key holds what else the HTML depends on: staff or
customer (internal notes), language and time zone; every key carries the
release (`helpdesk.cache`), so that a new release renders anew. Not cached
while `DEBUG`, where templates change under a running server.

The ticket's status changes travel with the HTML: the staff page's SLA clocks
read them, and they change only when an event is saved, which replaces the
version anyway. A cached conversation spares the page its events query. So
does whether a link or a merge is in the ticket's history (the services record
each on the ticket): a ticket that never had a related ticket, nearly every
one, is spared the two queries that list them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from helpdesk.cache import VersionedCache
from tickets.models import Attachment, Message, Ticket, TicketEvent

people = VersionedCache("tickets:people", kept_in_process=True)
CONVERSATION_TIMEOUT = 24 * 60 * 60


class StatusChange(NamedTuple):
    """What `tickets.sla.sla_state` reads of a status event."""

    created_at: datetime.datetime
    old_value: str
    new_value: str


_RELATING = {TicketEvent.Kind.LINKED, TicketEvent.Kind.MERGED}


@dataclass(frozen=True, slots=True)
class Conversation:
    html: SafeString
    last_message_pk: int  # 0 when there is no message
    status_changes: tuple[StatusChange, ...]  # oldest first
    ever_related: bool  # a link or a merge in its history


def _cache(ticket_id: int) -> VersionedCache:
    return VersionedCache(
        f"tickets:conversation:{ticket_id}",
        timeout=CONVERSATION_TIMEOUT,
        version_timeout=CONVERSATION_TIMEOUT,
    )


def forget(*ticket_ids: int) -> None:
    """The tickets' conversations changed."""
    for ticket_id in ticket_ids:
        _cache(ticket_id).forget()


def conversation(
    ticket: Ticket, events: Iterable[TicketEvent], *, staff: bool
) -> Conversation:
    """The conversation for staff (with internal notes) or for the customer;
    `events`: the ticket's events that the reader may see, iterated only when
    the conversation is not cached."""
    key = ":".join(
        [
            str(ticket.code),
            "staff" if staff else "customer",
            get_language(),
            get_current_timezone_name(),
        ]
    )
    if settings.DEBUG:  # templates change under a running development server
        html, *facts = _render(ticket, events, staff=staff)
    else:
        html, *facts = _cache(ticket.pk).get(
            key, lambda: _render(ticket, events, staff=staff), also=[people]
        )
    return Conversation(mark_safe(html), *facts)


def _render(
    ticket: Ticket, events: Iterable[TicketEvent], *, staff: bool
) -> tuple[str, int, tuple[StatusChange, ...], bool]:
    thread = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
        )
    )
    if not staff:
        thread = thread.public()
    thread = list(thread)
    events = list(events)
    TicketEvent.name_values(events)
    timeline = sorted(
        [("message", m) for m in thread] + [("event", e) for e in events],
        key=lambda item: (item[1].created_at, item[0] == "event"),
    )
    html = render_to_string(
        "tickets/_conversation.html", {"timeline": timeline, "ticket": ticket}
    )
    status_changes = tuple(
        StatusChange(event.created_at, event.old_value, event.new_value)
        for event in events
        if event.kind == TicketEvent.Kind.STATUS
    )
    return (
        str(html),
        max((message.pk for message in thread), default=0),
        status_changes,
        any(event.kind in _RELATING for event in events),
    )
