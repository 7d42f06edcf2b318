"""Reports and exports read a streaming replica, leaving the primary to the desk.

When `DATABASE_REPLICA_URL` is set (the `replica` database), code that asks
reads there; everything else, and every write, uses the primary. To ask:

    from helpdesk.db_router import reading_from_replica, reads_from_replica

    @reads_from_replica            # a report page or export (a view)
    def report_page(request): ...

    with reading_from_replica():   # a task, a command, part of a view
        figures = build_figures()

Inside, the ORM's reads go to the replica (`ReplicaRouter`); writes still go
to the primary, and so do reads inside a transaction on the primary, which
must see its own changes. `report_db()` names the database to read, for
`.using(report_db())` where that reads better than a block.

A replica lags behind the primary: under a second usually, seconds under
load. Reports tolerate that: they describe hours and days, and the dashboard
already shows a snapshot up to a minute old. What must show the latest state
(a ticket's page after a reply, any form) never reads there.

A replica that cannot be reached does not fail the page: the report reads the
primary, a warning is logged, and this process does not try the replica
again for `RETRY_AFTER` seconds. Opening the connection is the check, and a
report opens it anyway; a kept connection that breaks is dropped by Django's
health check at the next request (`CONN_HEALTH_CHECKS` in the settings).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, ParamSpec

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponseBase, StreamingHttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
# Seconds a process reads the primary after failing to reach the replica.
RETRY_AFTER = 30.0

P = ParamSpec("P")

_reading: ContextVar[bool] = ContextVar("reading_from_replica", default=False)
# time.monotonic() until which the replica is taken to be down (per process).
_down_until = 0.0


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads inside go to the replica, if there is one and it answers."""
    reset = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(reset)


def reads_from_replica(
    view: Callable[P, HttpResponseBase],
) -> Callable[P, HttpResponseBase]:
    """A view whose reads go to the replica: a report page or an export.

    A streamed response (`StreamingHttpResponse`, e.g. a CSV export) is
    produced after the view returns; its rows are read from the replica too.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        with reading_from_replica():
            response = view(*args, **kwargs)
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            response.streaming_content = _from_replica(response.streaming_content)
        return response

    return wrapper


def _from_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    # Entered around each chunk, not across the yield: between chunks the
    # server's own code runs, and it must not read the replica.
    iterator = iter(chunks)
    while True:
        with reading_from_replica():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def report_db() -> str:
    """The database a report reads now: the replica if one is configured,
    is not the primary itself (the tests' mirror) and answers; else the
    primary."""
    global _down_until
    if REPLICA not in settings.DATABASES or _is_primary(REPLICA):
        return DEFAULT_DB_ALIAS
    if time.monotonic() < _down_until:
        return DEFAULT_DB_ALIAS
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        _down_until = time.monotonic() + RETRY_AFTER
        logger.warning(
            "The replica database cannot be reached; reports read the primary "
            "for the next %s seconds.",
            RETRY_AFTER,
            exc_info=True,
        )
        return DEFAULT_DB_ALIAS
    return REPLICA


def _is_primary(alias: str) -> bool:
    def where(db: dict) -> tuple[str, str, str]:
        return (str(db["HOST"]), str(db["PORT"]), str(db["NAME"]))

    return where(connections[alias].settings_dict) == where(
        connections[DEFAULT_DB_ALIAS].settings_dict
    )


class ReplicaRouter:
    """Reads inside `reading_from_replica()` go to `report_db()`; all else to
    the primary, which alone is written and migrated."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        if not _reading.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return report_db()

    def db_for_write(self, model: type, **hints: Any) -> str:
        # Explicit: Django would otherwise write an object back to the
        # database it was read from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read from either
        # may refer to one read from the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
