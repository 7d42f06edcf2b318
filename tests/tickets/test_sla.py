"""SLA clocks over the real production calendar (the shipped 2025-2027 files).

`sla_state` is pure: these tests build the calendar from the XML files and
pass plain objects for the ticket and its status changes.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.schedule.support import msk, xml_calendar
from tickets.sla import SegmentKind, clock, sla_state, stored_due

H = dt.timedelta(hours=1)
TARGETS = {
    "critical": SimpleNamespace(first_response=1 * H, resolution=8 * H),
    "high": SimpleNamespace(first_response=4 * H, resolution=24 * H),
    "normal": SimpleNamespace(first_response=8 * H, resolution=60 * H),
    "low": SimpleNamespace(first_response=16 * H, resolution=120 * H),
}


@pytest.fixture(scope="module")
def calendar():
    return xml_calendar()


def _ticket(created_at, priority="normal", first_response_at=None):
    return SimpleNamespace(
        created_at=created_at,
        priority=priority,
        status="new",
        first_response_at=first_response_at,
    )


def _change(at, old, new):
    return SimpleNamespace(created_at=at, old_value=old, new_value=new)


def test_friday_evening_before_the_may_holidays_is_due_after_them(calendar) -> None:
    # Friday 8 May 2026 is shortened (support closes at 18:00); 9-11 May are off.
    state = sla_state(
        _ticket(msk(2026, 5, 8, 18, 30), "critical"),
        [],
        TARGETS,
        msk(2026, 5, 8, 18, 30),
        calendar=calendar,
    )

    assert state.first_response_due == msk(2026, 5, 12, 8)
    assert state.resolution_due == msk(2026, 5, 12, 15)
    assert not state.paused
    assert state.remaining == 8 * H


def test_a_shortened_pre_holiday_day_counts_one_hour_less(calendar) -> None:
    # Thursday 30 April 2026 closes at 18:00; 1 May is a holiday; Saturday 2 May 09-16.
    state = sla_state(
        _ticket(msk(2026, 4, 30, 17), "normal"),
        [],
        TARGETS,
        msk(2026, 4, 30, 17),
        calendar=calendar,
    )

    # 1 h on Thursday + 7 h on Saturday runs out at closing: due at the next opening.
    assert state.first_response_due == msk(2026, 5, 4, 7)
    # 8 h by Saturday, 4 x 12 h Monday to Thursday, 4 h of the shortened Friday 8 May.
    assert state.resolution_due == msk(2026, 5, 8, 11)


def test_new_year_holidays_are_skipped(calendar) -> None:
    # 31 Dec 2025 and 1-9 Jan 2026 are off; Saturday 10 January is open 09-16.
    state = sla_state(
        _ticket(msk(2025, 12, 30, 17), "high"),
        [],
        TARGETS,
        msk(2025, 12, 30, 17),
        calendar=calendar,
    )

    assert state.first_response_due == msk(2026, 1, 10, 11)
    # 2 h + 7 h on Saturday + 12 h on Monday 12 January + 3 h on Tuesday.
    assert state.resolution_due == msk(2026, 1, 13, 10)


def test_a_transferred_working_saturday_has_weekday_hours(calendar) -> None:
    # Saturday 20 February 2027 is a working (shortened) day: 07:00-18:00.
    state = sla_state(
        _ticket(msk(2027, 2, 19, 18, 30), "critical"),
        [],
        TARGETS,
        msk(2027, 2, 19, 18, 30),
        calendar=calendar,
    )

    assert state.first_response_due == msk(2027, 2, 20, 7, 30)
    assert state.resolution_due == msk(2027, 2, 20, 14, 30)


def test_waiting_for_the_customer_pauses_the_clock(calendar) -> None:
    ticket = _ticket(msk(2026, 3, 2, 10), "high", first_response_at=msk(2026, 3, 2, 11))
    events = [_change(msk(2026, 3, 2, 11), "new", "waiting")]

    state = sla_state(ticket, events, TARGETS, msk(2026, 3, 3, 12), calendar=calendar)

    assert state.paused
    assert state.resolution_due is None
    assert state.elapsed == 1 * H
    assert state.remaining == 23 * H
    assert stored_due(state) is None
    assert state.first_response_met is True
    assert state.first_response_due == msk(2026, 3, 2, 14)
    assert [s.kind for s in state.segments] == [
        SegmentKind.RUNNING,
        SegmentKind.WAITING,
    ]
    assert state.segments[1].start == msk(2026, 3, 2, 11)


def test_the_customers_reply_resumes_the_clock(calendar) -> None:
    ticket = _ticket(msk(2026, 3, 2, 10), "high", first_response_at=msk(2026, 3, 2, 11))
    events = [
        _change(msk(2026, 3, 2, 11), "new", "waiting"),
        _change(msk(2026, 3, 4, 10), "waiting", "open"),
    ]

    state = sla_state(ticket, events, TARGETS, msk(2026, 3, 4, 12), calendar=calendar)

    assert not state.paused
    # 1 h on Monday, then from Wednesday 10:00: 9 h + 12 h on Thursday + 2 h on Friday.
    assert state.resolution_due == msk(2026, 3, 6, 9)
    assert state.elapsed == 3 * H
    assert state.remaining == 21 * H
    assert stored_due(state) == msk(2026, 3, 6, 9)
    assert [s.kind for s in state.segments] == [
        SegmentKind.RUNNING,
        SegmentKind.WAITING,
        SegmentKind.RUNNING,
    ]


def test_an_overdue_ticket_has_negative_time_left(calendar) -> None:
    state = sla_state(
        _ticket(msk(2026, 3, 2, 10), "critical"),
        [],
        TARGETS,
        msk(2026, 3, 2, 19, 30),
        calendar=calendar,
    )

    assert state.resolution_due == msk(2026, 3, 2, 18)
    assert state.remaining == -1 * H
    assert state.overdue
    assert state.first_response_met is None
    assert [(s.kind, s.reason) for s in state.segments] == [
        (SegmentKind.RUNNING, ""),
        (SegmentKind.SUPPORT_CLOSED, "night"),
    ]


def test_a_late_first_response_is_not_met(calendar) -> None:
    ticket = _ticket(
        msk(2026, 3, 2, 10), "critical", first_response_at=msk(2026, 3, 2, 12)
    )

    state = sla_state(ticket, [], TARGETS, msk(2026, 3, 2, 12), calendar=calendar)

    assert state.first_response_due == msk(2026, 3, 2, 11)
    assert state.first_response_met is False


def test_a_waiting_ticket_already_overdue_keeps_its_deadline(calendar) -> None:
    ticket = _ticket(msk(2026, 3, 2, 10), "critical")
    events = [_change(msk(2026, 3, 2, 18, 30), "new", "waiting")]

    state = sla_state(ticket, events, TARGETS, msk(2026, 3, 3, 12), calendar=calendar)

    assert state.paused
    assert state.overdue
    assert stored_due(state) == msk(2026, 3, 2, 18)


def test_resolving_stops_the_clock(calendar) -> None:
    events = [_change(msk(2026, 3, 2, 12), "new", "resolved")]

    state = sla_state(
        _ticket(msk(2026, 3, 2, 10), "high"),
        events,
        TARGETS,
        msk(2026, 3, 5, 12),
        calendar=calendar,
    )

    assert state.stopped
    assert state.elapsed == 2 * H
    assert state.resolution_due is None
    assert stored_due(state) is None
    assert state.segments[-1].kind == SegmentKind.STOPPED


def test_the_timeline_names_the_holiday_and_the_weekend(calendar) -> None:
    holiday = sla_state(
        _ticket(msk(2026, 5, 8, 17), "critical"),
        [],
        TARGETS,
        msk(2026, 5, 12, 8),
        calendar=calendar,
    )
    weekend = sla_state(
        _ticket(msk(2026, 3, 14, 15), "critical"),
        [],
        TARGETS,
        msk(2026, 3, 16, 8),
        calendar=calendar,
    )

    closed = holiday.segments[1]
    assert (closed.kind, closed.reason, closed.holiday) == (
        SegmentKind.SUPPORT_CLOSED,
        "holiday",
        "День Победы",
    )
    assert (closed.start, closed.end) == (msk(2026, 5, 8, 18), msk(2026, 5, 12, 7))
    assert holiday.elapsed == 2 * H
    assert [s.reason for s in weekend.segments] == ["", "weekend", ""]
    assert weekend.elapsed == 2 * H


def test_a_priority_without_a_target_has_no_deadline(calendar) -> None:
    state = sla_state(
        _ticket(msk(2026, 3, 2, 10), "normal"),
        [],
        {},
        msk(2026, 3, 2, 11),
        calendar=calendar,
    )

    assert not state.has_target
    assert state.resolution_due is None
    assert state.remaining is None


def test_the_queue_clock(calendar) -> None:
    now = msk(2026, 3, 2, 18)

    assert clock("waiting", None, now, calendar=calendar).kind == "paused"
    assert clock("resolved", None, now, calendar=calendar).kind == "stopped"
    left = clock("open", msk(2026, 3, 3, 8), now, calendar=calendar)
    assert (left.kind, left.support_time) == ("running", 2 * H)
    late = clock("new", msk(2026, 3, 2, 15), now, calendar=calendar)
    assert (late.kind, late.support_time) == ("overdue", 3 * H)
