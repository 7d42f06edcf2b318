"""Domain events for listeners the publishing app must not know of.

`tickets` and `accounts` publish what happened (a ticket filed, a licence
renewed) inside the transaction that made the change; an app above them
(`webhooks`) listens from its `AppConfig.ready()` and writes its own outbox
rows in that same transaction, so they commit or roll back with the change.
The publishers import only this module, so no app below has to import the
ones above it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.timezone import now

__all__ = ["Event", "listen", "publish"]


@dataclass(frozen=True)
class Event:
    """What happened, for whom it may be told.

    `organisation_id` is the organisation the event is about (None: the
    vendor's own business, e.g. an access request); `key` orders events that
    must be told in turn (a ticket's reference); `data` is JSON-ready, made
    by the publisher's function when a listener first asks for it (most
    events have nobody to tell, and cost no query then). `source` is the
    publisher's own record of it (a ticket event), for listeners in this
    process that act on it rather than tell it.
    """

    type: str
    organisation_id: int | None
    key: str
    make_data: Callable[[], dict[str, Any]]
    timestamp: datetime.datetime = field(default_factory=now)
    source: Any = field(default=None, compare=False)

    @cached_property
    def data(self) -> dict[str, Any]:
        return self.make_data()


Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Call `listener` with every published event (once, however often registered)."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(
    type: str,
    *,
    organisation_id: int | None,
    key: str,
    data: Callable[[], dict[str, Any]],
    source: Any = None,
) -> Event:
    """Tell every listener, inside the caller's transaction."""
    event = Event(
        type=type,
        organisation_id=organisation_id,
        key=key,
        make_data=data,
        source=source,
    )
    for listener in _listeners:
        listener(event)
    return event
