"""Properties of the interval arithmetic, over random instants of 2025–2027."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from schedule.hours import Calendar
from tests.schedule.support import LONDON, MSK, VLADIVOSTOK, xml_calendar

CALENDAR: Calendar = xml_calendar()
TICK = dt.timedelta(microseconds=1)

# Hypothesis takes naive bounds and attaches the zones itself.
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2027, 12, 20),  # noqa: DTZ001
    timezones=st.sampled_from([dt.UTC, MSK, VLADIVOSTOK, LONDON]),
    allow_imaginary=False,
)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20))
# The default deadline is too tight for a cold calendar's first days.
checked = settings(max_examples=300, deadline=None)


def _open_at_or_after(at: dt.datetime) -> dt.datetime:
    opening = CALENDAR.next_opening(at)
    assert opening is not None
    return opening


@checked
@given(instants, instants)
def test_adding_the_time_between_lands_on_the_open_instant(
    a: dt.datetime, b: dt.datetime
) -> None:
    start, end = sorted([a, b])
    end = _open_at_or_after(end)

    elapsed = CALENDAR.business_time_between(start, end)

    assert CALENDAR.add_business_time(start, elapsed) == end


@checked
@given(instants, durations)
def test_adding_then_measuring_gives_the_duration_back(
    start: dt.datetime, duration: dt.timedelta
) -> None:
    end = CALENDAR.add_business_time(start, duration)

    assert end >= start
    assert CALENDAR.status(end).is_open
    assert CALENDAR.business_time_between(start, end) == duration


@checked
@given(instants, instants, instants)
def test_business_time_grows_with_the_end_and_never_beats_the_clock(
    a: dt.datetime, b: dt.datetime, c: dt.datetime
) -> None:
    t, u, v = sorted([a, b, c])

    assert dt.timedelta(0) <= CALENDAR.business_time_between(t, u)
    assert CALENDAR.business_time_between(t, u) <= CALENDAR.business_time_between(t, v)
    assert CALENDAR.business_time_between(t, u) <= u - t
    assert CALENDAR.business_time_between(t, v) == (
        CALENDAR.business_time_between(t, u) + CALENDAR.business_time_between(u, v)
    )


@checked
@given(instants, durations, durations)
def test_a_longer_duration_never_ends_earlier(
    start: dt.datetime, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    shorter, longer = sorted([d1, d2])

    assert CALENDAR.add_business_time(start, shorter) <= CALENDAR.add_business_time(
        start, longer
    )


@checked
@given(instants)
def test_status_agrees_with_the_interval_arithmetic(at: dt.datetime) -> None:
    status = CALENDAR.status(at)

    assert status.is_open == (CALENDAR.business_time_between(at, at + TICK) == TICK)
    assert status.changes_at is not None
    assert status.changes_at > at
    if status.is_open:
        # Open all the way to closing time, and closed at it.
        assert CALENDAR.business_time_between(at, status.changes_at) == (
            status.changes_at - at
        )
        assert not CALENDAR.status(status.changes_at).is_open
    else:
        # Closed all the way to the opening, and open at it.
        assert CALENDAR.business_time_between(at, status.changes_at) == dt.timedelta(0)
        assert CALENDAR.status(status.changes_at).is_open
        assert CALENDAR.next_opening(at) == status.changes_at
