"""Who has a ticket open right now: the collision warning on the staff ticket page.

Each open page sends a heartbeat every `HEARTBEAT_SECONDS`; a viewer not heard
of for `FORGET_SECONDS` has left. Kept in the shared cache (Redis in
production), never in the database: it is worthless a minute later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.models import Ticket

HEARTBEAT_SECONDS = 15
FORGET_SECONDS = 45


@dataclass(frozen=True, slots=True)
class Viewer:
    name: str
    replying: bool


def _key(ticket: Ticket) -> str:
    return f"tickets:presence:{ticket.pk}"


def mark(ticket: Ticket, user: User, *, replying: bool) -> list[Viewer]:
    """Record that the user has the ticket open; the others who have it open.

    Two heartbeats at the same moment may overwrite each other's entry; the
    next heartbeat puts it back, which is soon enough for a warning.
    """
    at = time.time()
    try:
        seen = cache.get(_key(ticket)) or {}
        seen = {
            pk: entry for pk, entry in seen.items() if at - entry[1] < FORGET_SECONDS
        }
        seen[user.pk] = (user.get_full_name(), at, replying)
        cache.set(_key(ticket), seen, timeout=FORGET_SECONDS)
    except Exception:
        # A warning is a courtesy: a cache outage must not break the page.
        return []
    return [
        Viewer(name, is_replying)
        for pk, (name, _at, is_replying) in sorted(seen.items())
        if pk != user.pk
    ]


def describe(others: list[Viewer]) -> str:
    """One sentence for the page, in the agent's language; empty when alone."""
    replying = [viewer.name for viewer in others if viewer.replying]
    viewing = [viewer.name for viewer in others if not viewer.replying]
    parts = []
    if replying:
        parts.append(
            _("%(names)s is writing a reply to this ticket.")
            % {"names": ", ".join(replying)}
        )
    if viewing:
        parts.append(
            _("%(names)s also has this ticket open.") % {"names": ", ".join(viewing)}
        )
    return " ".join(parts)
