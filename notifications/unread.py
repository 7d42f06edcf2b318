"""Each person's unread count and the tickets they follow, for the staff
header and the ticket page's Follow button, kept in the cache so that no
staff page pays a query for them (tests/tickets/test_query_counts.py,
bench/README.md).

One value a person, both together: the header reads it on every staff page,
so the ticket page's button finds it there. Its version is replaced when
the person's notifications are written or read, or when they follow or
unfollow a ticket. Read inside transactions too (`read_in_transactions`):
pages read it, never the transaction that writes the rows behind it.
"""

from __future__ import annotations

from typing import NamedTuple

from accounts.models import User
from helpdesk.cache import VersionedCache
from notifications.models import Follow, Notification

KEPT_FOR = 24 * 60 * 60
# The header says "99+" beyond: the count reads no more rows than this.
COUNTED_UP_TO = 100


class Person(NamedTuple):
    unread: int
    followed: frozenset[int]  # ticket ids


def _cache(user_id: int) -> VersionedCache:
    return VersionedCache(
        f"notifications:person:{user_id}",
        timeout=KEPT_FOR,
        version_timeout=KEPT_FOR,
        read_in_transactions=True,
    )


def person(user: User) -> Person:
    """The person's unread count (up to `COUNTED_UP_TO`) and followed tickets."""

    def read() -> Person:
        return Person(
            # Served by the `notification_unread` index.
            unread=Notification.objects.of(user).unread()[:COUNTED_UP_TO].count(),
            followed=frozenset(
                Follow.objects.filter(user=user).values_list("ticket_id", flat=True)
            ),
        )

    return _cache(user.pk).get("person", read)


def forget(*user_ids: int) -> None:
    """The people's notifications or followed tickets changed."""
    for user_id in user_ids:
        _cache(user_id).forget()
