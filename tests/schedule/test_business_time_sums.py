"""The time between two instants, from running sums, equals the day-by-day count.

`Calendar.business_time_between` subtracts running sums of open time for the
days in between, so the queue's clock for a deadline two years past costs what
one for tomorrow does; the sums' origin moves when an earlier day is asked.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from schedule.hours import Calendar
from tests.schedule.support import MSK, VLADIVOSTOK, xml_calendar

instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([dt.UTC, MSK, VLADIVOSTOK]),
    allow_imaginary=False,
)


def counted_day_by_day(
    calendar: Calendar, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    total = dt.timedelta(0)
    for day in calendar.days(
        start.astimezone(calendar.tz).date(), end.astimezone(calendar.tz).date()
    ):
        for opening in day.openings:
            overlap = min(opening.closes, end) - max(opening.opens, start)
            total += max(overlap, dt.timedelta(0))
    return total


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(instants, instants), min_size=1, max_size=6))
def test_running_sums_match_counting_every_day(
    pairs: list[tuple[dt.datetime, dt.datetime]],
) -> None:
    # A fresh calendar each time, asked in a random order: later pairs may
    # reach before the days the first pair summed.
    calendar = xml_calendar()
    for a, b in pairs:
        start, end = sorted([a, b])
        assert calendar.business_time_between(start, end) == counted_day_by_day(
            calendar, start, end
        )
        assert calendar.business_time_between(end, start) == -counted_day_by_day(
            calendar, start, end
        )
