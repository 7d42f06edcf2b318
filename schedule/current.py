"""The calendar in force: loaded from the database once, shared by the process.

Every page shows the banner, so `status()` must cost no query. The process
keeps one `hours.Calendar`, and every `CHECK_SECONDS` compares the version
token it was loaded under with the one in Django's cache (Redis in
production, so all web and worker processes share it). Saving or deleting
weekly hours, a calendar day or year, or an override sets a new token after
the transaction commits (`schedule.signals`); each process then reloads within
`CHECK_SECONDS`, and the process that made the change at once.

Other apps ask through this module, never through the models:

    from schedule import current
    current.status(timezone.now())  # Status(is_open, closes_at | opens_at, reason)
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from schedule.hours import (
    MOSCOW,
    Calendar,
    CalendarEntry,
    DayKind,
    Interval,
    Override,
    Status,
)
from schedule.models import CalendarDay, CalendarYear, DateOverride, WeeklyHours

logger = logging.getLogger(__name__)

VERSION_KEY = "schedule:calendar-version"
CHECK_SECONDS = 5.0
# Staff are warned about a missing year from this many days before it starts.
WARN_DAYS_AHEAD = 92


@dataclass
class _Loaded:
    calendar: Calendar
    version: str
    checked_at: float


_loaded: _Loaded | None = None

# Sent once a change to the support calendar has committed, so that other apps
# can recompute what they derived from it (ticket deadlines) without this app
# knowing them.
calendar_changed = Signal()


def calendar() -> Calendar:
    """The current calendar, reloaded only when its version token has changed."""
    global _loaded
    loaded = _loaded
    checked_at = time.monotonic()
    # A clock that went backwards (time_machine in tests) means "check now".
    if loaded is not None and 0 <= checked_at - loaded.checked_at < CHECK_SECONDS:
        return loaded.calendar
    version = _shared_version()
    if loaded is not None and (version is None or version == loaded.version):
        loaded.checked_at = checked_at
        return loaded.calendar
    # The token is read before the rows, so a change committed in between
    # makes the next check reload again rather than keep stale rows.
    _loaded = _Loaded(load_calendar(), version or "", checked_at)
    return _loaded.calendar


def invalidate() -> None:
    """Drop this process's calendar now, and every process's once committed."""
    forget()
    transaction.on_commit(_publish_new_version)


def forget() -> None:
    """Drop this process's calendar only (tests, and `invalidate`)."""
    global _loaded
    _loaded = None


def _publish_new_version() -> None:
    forget()
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("Could not publish a new support calendar version.")
    calendar_changed.send_robust(sender=None)


def _shared_version() -> str | None:
    """The token in the shared cache; None only if the cache is unreachable."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # A restarted or cleared cache: nobody knows what changed, so the
            # fresh token makes every process reload once.
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:
        # The banner is on every page: a cache outage must not take the site
        # down, it only delays other processes' reloads.
        logger.exception("Could not read the support calendar version.")
        return None
    return version


def load_calendar() -> Calendar:
    """Build a `Calendar` from the models (four queries)."""
    weekly: list[list[Interval]] = [[] for _ in range(7)]
    for hours in WeeklyHours.objects.all():
        weekly[hours.weekday].append(Interval(hours.opens_at, hours.closes_at))
    entries = {
        day.date: CalendarEntry(DayKind(day.kind), day.holiday, day.moved_from)
        for day in CalendarDay.objects.all()
    }
    overrides = {
        override.date: Override(
            ()
            if override.is_closed
            else (Interval(override.opens_at, override.closes_at),),  # type: ignore[arg-type]
            override.note,
        )
        for override in DateOverride.objects.all()
    }
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return Calendar(
        weekly=tuple(tuple(day) for day in weekly),
        entries=entries,
        overrides=overrides,
        years=years,
        tz=MOSCOW,
        shortened_by=dt.timedelta(minutes=settings.SCHEDULE_SHORTENED_DAY_MINUTES),
    )


def today() -> dt.date:
    """Today's date in Moscow, whatever zone is active."""
    return timezone.now().astimezone(MOSCOW).date()


# The questions other apps ask.


def status(at: dt.datetime) -> Status:
    return calendar().status(at)


def next_opening(at: dt.datetime) -> dt.datetime | None:
    return calendar().next_opening(at)


def add_business_time(start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    return calendar().add_business_time(start, duration)


def business_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    return calendar().business_time_between(start, end)


def deadline_as_read(due: dt.datetime) -> dt.datetime:
    return calendar().deadline_as_read(due)


def missing_years(on: dt.date | None = None) -> list[int]:
    """Years without production calendar data that the coming months touch.

    Their holidays would pass as ordinary working days: staff must import the
    year's calendar (`manage.py import_production_calendar`).
    """
    on = on or today()
    wanted = {on.year, (on + dt.timedelta(days=WARN_DAYS_AHEAD)).year}
    return sorted(wanted - calendar().years)
