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
customer (internal notes), for a customer who reads it (their own messages
say "You"), language and time zone, and the moment after which support's
replies are marked new (only while there are such replies, so that the page
after it is the shared one again); every key carries the release
(`helpdesk.cache`), so that a new release renders anew. Not cached
while `DEBUG`, where templates change under a running server.

The ticket's status changes travel with the HTML: the staff page's SLA clocks
read them, and they change only when an event is saved, which replaces the
version anyway. A cached conversation spares the page its events query. So
does whether a link or a merge is in the ticket's history (the services record
each on the ticket): a ticket that never had a related ticket, nearly every
one, is spared the two queries that list them. The colleagues copied on the
ticket travel with it too (the staff page's checkboxes): a change to them
replaces the version (`tickets.signals`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name, localdate
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
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
    copied_ids: tuple[int, ...]  # the colleagues copied on the ticket


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
    ticket: Ticket,
    events: Iterable[TicketEvent],
    *,
    reader: User,
    new_since: datetime.datetime | None = None,
) -> Conversation:
    """The conversation for staff (with internal notes) or for a customer;
    `events`: the ticket's events that the reader may see, iterated only when
    the conversation is not cached; `new_since`: support's public replies
    after this moment are marked new (a divider before the first)."""
    staff = reader.is_staff
    key = ":".join(
        [
            str(ticket.code),
            # Staff share one rendering; a customer's says "You".
            "staff" if staff else f"customer{reader.pk}",
            get_language(),
            get_current_timezone_name(),
            new_since.isoformat() if new_since else "",
        ]
    )

    def render() -> tuple[str, int, tuple[StatusChange, ...], bool, tuple[int, ...]]:
        return _render(ticket, events, reader=reader, new_since=new_since)

    if settings.DEBUG:  # templates change under a running development server
        html, *facts = render()
    else:
        html, *facts = _cache(ticket.pk).get(key, render, also=[people])
    return Conversation(mark_safe(html), *facts)


class Entry(NamedTuple):
    """One line of the timeline: a day's heading, the "new" divider, a
    message or an event, with who wrote or did it as the reader names them."""

    kind: str  # "day", "new", "message" or "event"
    item: Message | TicketEvent | None = None
    who: str = ""
    day: str = ""


def _who(person: User | None, *, you: User | None) -> str:
    """Who wrote or did something, as the reader names them: "You", support
    by name, a customer's colleague by name; the system for what ran alone."""
    if person is None:
        return _("The system")
    if you is not None and person.pk == you.pk:
        return _("You")
    if person.is_staff:
        return _("Support · %(name)s") % {"name": person.get_full_name()}
    return person.get_full_name()


def _timeline(
    items: list[Message | TicketEvent],
    *,
    you: User | None,
    new_since: datetime.datetime | None,
) -> list[Entry]:
    """The entries in order, each day headed by its date (in the reader's
    zone), the first reply after `new_since` preceded by the "new" divider;
    `you`: the one reader named "You" (none in the staff's shared rendering)."""
    entries: list[Entry] = []
    day = None
    divided = new_since is None
    for item in items:
        if localdate(item.created_at) != day:
            day = localdate(item.created_at)
            entries.append(Entry("day", day=date_format(day, "j E Y")))
        if isinstance(item, Message):
            if (
                not divided
                and item.kind == Message.Kind.REPLY
                and item.created_at > new_since
            ):
                entries.append(Entry("new"))
                divided = True
            entries.append(Entry("message", item, _who(item.author, you=you)))
        else:
            entries.append(Entry("event", item, _who(item.actor, you=you)))
    return entries


def _render(
    ticket: Ticket,
    events: Iterable[TicketEvent],
    *,
    reader: User,
    new_since: datetime.datetime | None,
) -> tuple[str, int, tuple[StatusChange, ...], bool, tuple[int, ...]]:
    staff = reader.is_staff
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
    items = sorted(
        [*thread, *events],
        key=lambda item: (item.created_at, isinstance(item, TicketEvent)),
    )
    html = render_to_string(
        "tickets/_conversation.html",
        {
            "timeline": _timeline(
                items, you=None if staff else reader, new_since=new_since
            ),
            "ticket": ticket,
            "staff": staff,
        },
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
        tuple(
            Ticket.cc.through.objects.filter(ticket=ticket)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        ),
    )
