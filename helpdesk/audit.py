"""Through what a change is being made, for the records that say who made it.

A ticket's history names its actor, a person; a change made through the API
is also made through one of that person's integration tokens, and the
history must say which. The API sets it for the length of a request
(`acting_through`); a record written meanwhile takes it as its default
(`TicketEvent.via`), so no service needs a parameter it would only pass on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_via: ContextVar[str] = ContextVar("via", default="")


def current_via() -> str:
    """What changes are made through now: empty for the portal, the admin,
    e-mail and Telegram, which the record's channel already says."""
    return _via.get()


@contextlib.contextmanager
def acting_through(label: str) -> Iterator[None]:
    reset = _via.set(label[:200])
    try:
        yield
    finally:
        _via.reset(reset)
