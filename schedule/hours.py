"""Support hours arithmetic: pure functions of a `Calendar` and aware datetimes.

Nothing here touches the database: `schedule.current` builds a `Calendar` from
the models once per process and hands it out. Every instant inside is kept in
UTC, because Python compares and subtracts two datetimes of the same zone by
their wall clocks, which is wrong across a daylight-saving change.

An opening is the half-open interval [opens, closes): at closing time sharp
support is closed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

UTC = dt.UTC
MOSCOW = ZoneInfo("Europe/Moscow")
ONE_DAY = dt.timedelta(days=1)
# How far `next_opening` looks before deciding that support never opens
# (every weekly interval deleted, say): longer than any run of holidays.
SEARCH_DAYS = 3 * 366


class NaiveDatetimeError(ValueError):
    """An instant without a time zone: guessing one would shift it by hours."""


class NoOpeningError(ValueError):
    """Support never opens within `SEARCH_DAYS` of the instant asked about."""


class Reason(StrEnum):
    """What kind of day an instant falls on, in the calendar's zone."""

    WEEKDAY = "weekday"
    SATURDAY = "saturday"
    HOLIDAY = "holiday"
    TRANSFERRED_WORKDAY = "transferred_workday"
    SHORTENED = "shortened"
    OVERRIDE = "override"
    WEEKEND = "weekend"


class DayKind(StrEnum):
    """A day of the production calendar; the values are `CalendarDay.Kind`'s."""

    DAY_OFF = "day_off"
    SHORTENED = "shortened"
    WORKING_DAY = "working_day"


@dataclass(frozen=True, slots=True)
class Interval:
    """Wall-clock hours of one day, e.g. 07:00–19:00."""

    opens: dt.time
    closes: dt.time


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A day the production calendar changes: off, shortened or made a working day."""

    kind: DayKind
    holiday: str = ""
    moved_from: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """Hours set by an administrator for one date; no intervals means closed."""

    intervals: tuple[Interval, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Opening:
    """One opening; `opens`/`closes` are in UTC, `local_*` in the calendar's zone."""

    opens: dt.datetime
    closes: dt.datetime
    local_opens: dt.datetime
    local_closes: dt.datetime


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date
    reason: Reason
    openings: tuple[Opening, ...]
    holiday: str = ""
    note: str = ""
    moved_from: dt.date | None = None

    @property
    def is_working(self) -> bool:
        return bool(self.openings)


class Status(NamedTuple):
    """`(is_open, closes_at or opens_at, reason)`; the instant is in the calendar's zone.

    `changes_at` is None only when support is closed and never opens again
    within `SEARCH_DAYS`.
    """

    is_open: bool
    changes_at: dt.datetime | None
    reason: Reason

    @property
    def closes_at(self) -> dt.datetime | None:
        return self.changes_at if self.is_open else None

    @property
    def opens_at(self) -> dt.datetime | None:
        return None if self.is_open else self.changes_at


DEFAULT_WEEKLY_HOURS: tuple[tuple[Interval, ...], ...] = (
    *[(Interval(dt.time(7), dt.time(19)),)] * 5,
    (Interval(dt.time(9), dt.time(16)),),
    (),
)


def require_aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{value.isoformat()} has no time zone; pass an aware datetime."
        )
    return value


@dataclass(frozen=True, eq=False)
class Calendar:
    """Weekly hours, the production calendar and the overrides, ready to answer.

    Days are computed on first use and kept in `_days`, so that a warm calendar
    answers `status()` with one dict look-up.
    """

    weekly: tuple[tuple[Interval, ...], ...] = DEFAULT_WEEKLY_HOURS
    entries: Mapping[dt.date, CalendarEntry] = field(default_factory=dict)
    overrides: Mapping[dt.date, Override] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    tz: ZoneInfo = MOSCOW
    shortened_by: dt.timedelta = dt.timedelta(hours=1)
    _days: dict[dt.date, Day] = field(default_factory=dict, init=False, repr=False)
    _works_like: dict[dt.date, int] = field(
        default_factory=dict, init=False, repr=False
    )
    # Open time summed day by day (see `_open_before`): the queue asks for the
    # support time between now and deadlines years past, once a row.
    _sums: list[dt.timedelta] = field(default_factory=list, init=False, repr=False)
    _sums_from: list[dt.date] = field(default_factory=list, init=False, repr=False)
    _sums_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("Weekly hours need seven days, Monday first.")
        # A weekend day made a working day works like the weekday whose day off
        # it took (the decree moves a day off "from Saturday to Monday").
        for date, entry in self.entries.items():
            if entry.kind == DayKind.DAY_OFF and entry.moved_from is not None:
                self._works_like[entry.moved_from] = date.weekday()

    # Days

    def day(self, date: dt.date) -> Day:
        found = self._days.get(date)
        if found is None:
            found = self._days[date] = self._compute_day(date)
        return found

    def days(self, start: dt.date, end: dt.date) -> Iterator[Day]:
        """Every day from `start` to `end`, both included."""
        date = start
        while date <= end:
            yield self.day(date)
            date += ONE_DAY

    def _compute_day(self, date: dt.date) -> Day:
        override = self.overrides.get(date)
        if override is not None:
            return self._make_day(
                date, Reason.OVERRIDE, override.intervals, note=override.note
            )
        weekday = date.weekday()
        entry = self.entries.get(date)
        if entry is None:
            intervals = self.weekly[weekday]
            if not intervals:
                reason = Reason.WEEKEND
            elif weekday == 5:
                reason = Reason.SATURDAY
            else:
                reason = Reason.WEEKDAY
            return self._make_day(date, reason, intervals)
        if entry.kind == DayKind.DAY_OFF:
            return self._make_day(
                date,
                Reason.HOLIDAY,
                (),
                holiday=entry.holiday,
                moved_from=entry.moved_from,
            )
        # A working day of the calendar: a weekend day made working has the
        # hours of an ordinary weekday, never the Saturday hours.
        if weekday >= 5:
            weekday = self._works_like.get(date, 0)
        intervals = self.weekly[weekday]
        if entry.kind == DayKind.SHORTENED:
            return self._make_day(
                date, Reason.SHORTENED, shorten(intervals, self.shortened_by)
            )
        return self._make_day(date, Reason.TRANSFERRED_WORKDAY, intervals)

    def _make_day(
        self,
        date: dt.date,
        reason: Reason,
        intervals: tuple[Interval, ...],
        **details: object,
    ) -> Day:
        spans: list[tuple[dt.datetime, dt.datetime]] = []
        for interval in sorted(intervals, key=lambda i: i.opens):
            opens = dt.datetime.combine(date, interval.opens, self.tz).astimezone(UTC)
            closes = dt.datetime.combine(date, interval.closes, self.tz).astimezone(UTC)
            if closes <= opens:  # empty, e.g. inside a daylight-saving gap
                continue
            if spans and opens <= spans[-1][1]:  # touching or overlapping
                spans[-1] = (spans[-1][0], max(spans[-1][1], closes))
            else:
                spans.append((opens, closes))
        openings = tuple(
            Opening(o, c, o.astimezone(self.tz), c.astimezone(self.tz))
            for o, c in spans
        )
        return Day(date, reason, openings, **details)  # type: ignore[arg-type]

    # Questions

    def status(self, at: dt.datetime) -> Status:
        """Whether support is open at `at`, until when or from when, and why."""
        at = require_aware(at).astimezone(UTC)
        date = at.astimezone(self.tz).date()
        day = self._days.get(date) or self.day(date)
        for opening in day.openings:
            if at < opening.opens:
                return Status(False, opening.local_opens, day.reason)
            if at < opening.closes:
                return Status(True, opening.local_closes, day.reason)
        following = self._first_opening_after(date)
        return Status(False, following.local_opens if following else None, day.reason)

    def next_opening(self, at: dt.datetime) -> dt.datetime | None:
        """The first instant from `at` on when support is open: `at` itself if open."""
        is_open, opens_at, _reason = self.status(at)
        return at.astimezone(self.tz) if is_open else opens_at

    def add_business_time(
        self, start: dt.datetime, duration: dt.timedelta
    ) -> dt.datetime:
        """The instant when `duration` of open time has passed since `start`.

        The answer is always an open instant: a duration that runs out exactly
        at closing time ends at the next opening, which is the same in business
        time. So `add_business_time(t, business_time_between(t, u)) == u` for
        every open `u` after `t`.
        """
        if duration < dt.timedelta(0):
            raise ValueError("The duration must not be negative.")
        start = require_aware(start).astimezone(UTC)
        remaining = duration
        date = start.astimezone(self.tz).date()
        idle_days = 0
        while idle_days <= SEARCH_DAYS:
            day = self.day(date)
            idle_days += 1
            for opening in day.openings:
                if opening.closes <= start:
                    continue
                idle_days = 0
                begin = max(opening.opens, start)
                available = opening.closes - begin
                if remaining < available:
                    return (begin + remaining).astimezone(self.tz)
                remaining -= available
            date += ONE_DAY
        raise NoOpeningError(f"Support does not open after {start.isoformat()}.")

    def deadline_as_read(self, due: dt.datetime) -> dt.datetime:
        """The instant a deadline's open time runs out, as people read it.

        `add_business_time` answers an open instant, so open time that runs
        out exactly at closing time ends at the next opening (Monday 11:00
        plus eight hours is Tuesday 07:00). People read that deadline as the
        closing (Monday 19:00): a deadline at an opening is shown as the
        closing before it. The arithmetic stays half-open; only what is
        shown moves.
        """
        due = require_aware(due).astimezone(UTC)
        date = due.astimezone(self.tz).date()
        if not any(opening.opens == due for opening in self.day(date).openings):
            return due.astimezone(self.tz)
        for _ in range(SEARCH_DAYS):
            earlier = [o for o in self.day(date).openings if o.closes <= due]
            if earlier:
                return earlier[-1].local_closes
            date -= ONE_DAY
        return due.astimezone(self.tz)

    def business_time_between(
        self, start: dt.datetime, end: dt.datetime
    ) -> dt.timedelta:
        """Open time in [start, end); negative when `end` is before `start`."""
        start = require_aware(start).astimezone(UTC)
        end = require_aware(end).astimezone(UTC)
        if end < start:
            return -self.business_time_between(end, start)
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        total = self._overlap(self.day(first), start, end)
        if last > first:
            # The days in between are open all their open time.
            total += self._open_time_of_days(first + ONE_DAY, last)
            total += self._overlap(self.day(last), start, end)
        return total

    @staticmethod
    def _overlap(day: Day, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        total = dt.timedelta(0)
        for opening in day.openings:
            overlap = min(opening.closes, end) - max(opening.opens, start)
            if overlap > dt.timedelta(0):
                total += overlap
        return total

    def _open_time(self, date: dt.date) -> dt.timedelta:
        return sum(
            (opening.closes - opening.opens for opening in self.day(date).openings),
            dt.timedelta(0),
        )

    def _open_time_of_days(self, first: dt.date, end: dt.date) -> dt.timedelta:
        """Open time of the days from `first` up to `end`, excluded: a subtraction
        of two running sums, however many days lie between."""
        with self._sums_lock:
            # The earlier day first: it may move the sums' origin.
            before_first = self._open_before(first)
            return self._open_before(end) - before_first

    def _open_before(self, date: dt.date) -> dt.timedelta:
        """Open time of the days from the sums' origin up to `date`, excluded.

        `_sums[i]` is the open time of the `i` days from `_sums_from[0]` on; the
        sums grow forwards day by day and are rebuilt when an earlier day is
        asked, which moves the origin (so compare only answers given together).
        """
        if not self._sums_from:
            self._sums_from.append(date)
            self._sums.append(dt.timedelta(0))
        origin = self._sums_from[0]
        if date < origin:
            added = [dt.timedelta(0)]
            day = date
            while day < origin:
                added.append(added[-1] + self._open_time(day))
                day += ONE_DAY
            shift = added.pop()
            self._sums[:] = added + [total + shift for total in self._sums]
            self._sums_from[0] = origin = date
        index = (date - origin).days
        while len(self._sums) <= index:
            day = origin + dt.timedelta(days=len(self._sums) - 1)
            self._sums.append(self._sums[-1] + self._open_time(day))
        return self._sums[index]

    def _first_opening_after(self, date: dt.date) -> Opening | None:
        """The first opening on a day after `date`."""
        for _step in range(SEARCH_DAYS):
            try:
                date += ONE_DAY
            except OverflowError:
                return None
            day = self._days.get(date) or self.day(date)
            if day.openings:
                return day.openings[0]
        return None


def shorten(intervals: tuple[Interval, ...], by: dt.timedelta) -> tuple[Interval, ...]:
    """The intervals of a pre-holiday day: the day ends `by` earlier."""
    if not intervals or by <= dt.timedelta(0):
        return intervals
    anchor = dt.date(2000, 1, 3)  # any date: only wall-clock times are compared
    end = dt.datetime.combine(anchor, max(i.closes for i in intervals)) - by
    shortened = []
    for interval in intervals:
        opens = dt.datetime.combine(anchor, interval.opens)
        closes = min(dt.datetime.combine(anchor, interval.closes), end)
        if closes > opens and closes.date() == anchor:
            shortened.append(Interval(interval.opens, closes.time()))
    return tuple(shortened)
