"""SLA clocks in support hours: pure functions of a ticket, its status history and a calendar.

The clock runs while a ticket is new or open, pauses while it waits for the
customer and stops once it is resolved or closed; a customer's reply (which
reopens the ticket) starts it again. Only support time counts: nights,
weekends and holidays of `schedule` are skipped. The target of the ticket's
current priority applies to all of its history, so the answer never depends
on the order in which targets and priorities changed.

Nothing here queries the database: callers pass the ticket's status events
and the targets (`tickets.services.refresh_sla` and the staff ticket page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from schedule import current as support_hours
from schedule.hours import Calendar, NoOpeningError, Reason

ZERO = dt.timedelta(0)

RUNNING_STATUSES = frozenset({"new", "open"})
PAUSED_STATUSES = frozenset({"waiting"})
# The queue's "breaching SLA": due within this much support time, or overdue.
BREACHING_WITHIN = dt.timedelta(hours=1)


class Target(Protocol):
    @property
    def first_response(self) -> dt.timedelta: ...

    @property
    def resolution(self) -> dt.timedelta: ...


class StatusChange(Protocol):
    """What `sla_state` reads of a `TicketEvent` of kind "status"."""

    created_at: dt.datetime
    old_value: str
    new_value: str


class TicketFacts(Protocol):
    created_at: dt.datetime
    priority: str
    status: str
    first_response_at: dt.datetime | None


class SegmentKind(StrEnum):
    RUNNING = "running"
    WAITING = "waiting"  # paused: waiting for the customer
    SUPPORT_CLOSED = "support_closed"  # paused: night, weekend or holiday
    STOPPED = "stopped"  # resolved or closed


@dataclass(frozen=True, slots=True)
class Segment:
    kind: SegmentKind
    start: dt.datetime
    end: dt.datetime
    # For SUPPORT_CLOSED: "holiday", "weekend" or "night"; `holiday` names it.
    reason: str = ""
    holiday: str = ""
    # Support time inside the segment (zero unless it is running).
    support_time: dt.timedelta = ZERO


@dataclass(frozen=True, slots=True)
class SlaState:
    has_target: bool
    first_response_due: dt.datetime | None
    first_response_at: dt.datetime | None
    first_response_met: bool | None  # None while no reply has been sent
    # Support time from filing to the first reply; None while there is none.
    first_response_time: dt.timedelta | None
    resolution_due: dt.datetime | None  # None while paused or stopped short of it
    elapsed: dt.timedelta  # support time the clock has run until `now`
    remaining: dt.timedelta | None  # to the resolution target; negative = overdue
    paused: bool
    stopped: bool
    segments: tuple[Segment, ...]

    @property
    def overdue(self) -> bool:
        return self.remaining is not None and self.remaining < ZERO

    @property
    def resolution_met(self) -> bool | None:
        """Whether the clock stopped within the resolution target; None while
        it has not stopped (or no target applies)."""
        if not self.stopped or self.remaining is None:
            return None
        return self.remaining >= ZERO


def status_periods(
    created_at: dt.datetime,
    changes: Iterable[StatusChange],
    *,
    initial: str = "new",
) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """(status, from, until) from filing on; the last period is open (until None)."""
    periods: list[tuple[str, dt.datetime, dt.datetime | None]] = []
    status, since = initial, created_at
    for change in sorted(changes, key=lambda c: c.created_at):
        at = max(change.created_at, since)
        if at > since:
            periods.append((status, since, at))
        status, since = change.new_value, at
    periods.append((status, since, None))
    return periods


def _running(
    periods: Sequence[tuple[str, dt.datetime, dt.datetime | None]],
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    return [
        (start, end) for status, start, end in periods if status in RUNNING_STATUSES
    ]


def _crossing(
    running: Sequence[tuple[dt.datetime, dt.datetime | None]],
    target: dt.timedelta,
    calendar: Calendar,
) -> dt.datetime | None:
    """When the running clock reaches `target`: projected if the last period
    is still running, None if the clock stopped or paused short of it."""
    needed = target
    try:
        for start, end in running:
            if end is None:
                return calendar.add_business_time(start, needed)
            spent = calendar.business_time_between(start, end)
            if spent >= needed:
                return calendar.add_business_time(start, needed)
            needed -= spent
    except NoOpeningError:
        # Support never opens again in this calendar: no deadline to show.
        return None
    return None


def _clip(
    running: Sequence[tuple[dt.datetime, dt.datetime | None]], until: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """The running periods before `until`; one still running at `until` stays open,
    so that the deadline "had the clock gone on" can be projected."""
    clipped: list[tuple[dt.datetime, dt.datetime | None]] = []
    for start, end in running:
        if start >= until:
            break
        # A period that ends with the reply (a reply that also sets "waiting")
        # counts as still running at the reply.
        clipped.append((start, end if end is not None and end < until else None))
    return clipped


def _elapsed(
    running: Sequence[tuple[dt.datetime, dt.datetime | None]],
    now: dt.datetime,
    calendar: Calendar,
) -> dt.timedelta:
    total = ZERO
    for start, end in running:
        stop = min(end, now) if end is not None else now
        if stop > start:
            total += calendar.business_time_between(start, stop)
    return total


def _closed_reason(
    calendar: Calendar, start: dt.datetime, end: dt.datetime
) -> tuple[str, str]:
    """Why support was closed from `start` to `end`: a holiday, a weekend or the night."""
    first = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()
    weekend = False
    for day in calendar.days(first, last):
        if day.openings:
            continue
        if day.reason == Reason.HOLIDAY:
            return "holiday", day.holiday
        if day.reason == Reason.OVERRIDE:
            return "holiday", day.note
        weekend = True
    return ("weekend", "") if weekend else ("night", "")


def _split_running(
    start: dt.datetime, end: dt.datetime, calendar: Calendar
) -> list[Segment]:
    """A running period cut into open support time and closed stretches."""
    segments: list[Segment] = []
    cursor = start
    first = start.astimezone(calendar.tz).date()
    last = end.astimezone(calendar.tz).date()
    for day in calendar.days(first, last):
        for opening in day.openings:
            opens, closes = max(opening.opens, start), min(opening.closes, end)
            if closes <= opens:
                continue
            if opens > cursor:
                reason, holiday = _closed_reason(calendar, cursor, opens)
                segments.append(
                    Segment(SegmentKind.SUPPORT_CLOSED, cursor, opens, reason, holiday)
                )
            segments.append(
                Segment(SegmentKind.RUNNING, opens, closes, support_time=closes - opens)
            )
            cursor = closes
    if cursor < end:
        reason, holiday = _closed_reason(calendar, cursor, end)
        segments.append(
            Segment(SegmentKind.SUPPORT_CLOSED, cursor, end, reason, holiday)
        )
    return segments


def timeline(
    periods: Sequence[tuple[str, dt.datetime, dt.datetime | None]],
    now: dt.datetime,
    calendar: Calendar,
) -> list[Segment]:
    """What the clock did from filing until `now`, oldest first."""
    segments: list[Segment] = []
    for status, start, end in periods:
        stop = min(end, now) if end is not None else now
        if stop <= start:
            continue
        if status in RUNNING_STATUSES:
            segments.extend(_split_running(start, stop, calendar))
        elif status in PAUSED_STATUSES:
            segments.append(Segment(SegmentKind.WAITING, start, stop))
        else:
            segments.append(Segment(SegmentKind.STOPPED, start, stop))
    return segments


def sla_state(
    ticket: TicketFacts,
    events: Iterable[StatusChange],
    targets: Mapping[str, Target],
    now: dt.datetime,
    *,
    calendar: Calendar | None = None,
) -> SlaState:
    """The ticket's SLA clocks at `now`, from its status changes since filing.

    1. The status history becomes periods: new/open run, waiting pauses,
       resolved/closed stop the clock.
    2. A deadline is where the running periods add up to the target in support
       time; while the last period runs it is projected forward.
    3. The first response is met if the first reply came before its deadline.
    """
    calendar = calendar or support_hours.calendar()
    periods = status_periods(ticket.created_at, events)
    running = _running(periods)
    current = periods[-1][0]
    paused = current in PAUSED_STATUSES
    stopped = not paused and current not in RUNNING_STATUSES
    segments = tuple(timeline(periods, now, calendar))
    elapsed = _elapsed(running, now, calendar)
    replied = ticket.first_response_at
    first_response_time = (
        calendar.business_time_between(ticket.created_at, replied) if replied else None
    )
    target = targets.get(ticket.priority)
    if target is None:
        return SlaState(
            has_target=False,
            first_response_due=None,
            first_response_at=replied,
            first_response_met=None,
            first_response_time=first_response_time,
            resolution_due=None,
            elapsed=elapsed,
            remaining=None,
            paused=paused,
            stopped=stopped,
            segments=segments,
        )
    first_due = _crossing(
        _clip(running, replied) if replied else running, target.first_response, calendar
    )
    first_met = None if replied is None else first_due is None or replied <= first_due
    return SlaState(
        has_target=True,
        first_response_due=first_due,
        first_response_at=replied,
        first_response_met=first_met,
        first_response_time=first_response_time,
        resolution_due=_crossing(running, target.resolution, calendar),
        elapsed=elapsed,
        remaining=target.resolution - elapsed,
        paused=paused,
        stopped=stopped,
        segments=segments,
    )


def stored_due(state: SlaState) -> dt.datetime | None:
    """What `Ticket.sla_due_at` holds: the resolution deadline while it matters.

    A solved ticket has none; a waiting one keeps a deadline it has already
    missed (it is still late) and has none otherwise (the clock is paused).
    """
    if state.stopped:
        return None
    if state.paused and not state.overdue:
        return None
    return state.resolution_due


def stored_facts(state: SlaState) -> dict[str, object]:
    """The `Ticket` fields that keep the clocks' results for the queue and the
    supervisor dashboard, by field name."""
    seconds = (
        None
        if state.first_response_time is None
        else int(state.first_response_time.total_seconds())
    )
    return {
        "sla_due_at": stored_due(state),
        "first_response_support_seconds": seconds,
        "first_response_met": state.first_response_met,
        "resolution_met": state.resolution_met,
        "resolution_support_seconds": (
            int(state.elapsed.total_seconds()) if state.stopped else None
        ),
    }


@dataclass(frozen=True, slots=True)
class Clock:
    """The queue's SLA cell: "paused", time left, or time overdue, in support hours."""

    kind: str  # "running", "overdue", "paused", "stopped" or "none"
    support_time: dt.timedelta = ZERO


def breaching_horizon(
    at: dt.datetime, *, calendar: Calendar | None = None
) -> dt.datetime:
    """Deadlines up to this instant count as breaching: one support hour from `at`."""
    calendar = calendar or support_hours.calendar()
    try:
        return calendar.add_business_time(at, BREACHING_WITHIN)
    except NoOpeningError:
        return at


def clock(
    status: str,
    due: dt.datetime | None,
    now: dt.datetime,
    *,
    calendar: Calendar | None = None,
) -> Clock:
    """The clock of a queue row from its stored deadline; no query, no history."""
    if status in PAUSED_STATUSES:
        return Clock("paused")
    if status not in RUNNING_STATUSES:
        return Clock("stopped")
    if due is None:
        return Clock("none")
    calendar = calendar or support_hours.calendar()
    left = calendar.business_time_between(now, due)
    if due <= now:
        return Clock("overdue", -left)
    return Clock("running", left)
