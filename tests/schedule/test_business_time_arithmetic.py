from __future__ import annotations

import datetime as dt

import pytest

from schedule.hours import Calendar, Interval, NoOpeningError
from tests.schedule.support import LONDON, msk

HOUR = dt.timedelta(hours=1)


def test_business_time_skips_the_night_and_the_weekend(calendar: Calendar) -> None:
    # Friday 18:00 → Monday 08:00: 1 h on Friday, 7 h on Saturday, 1 h on Monday.
    assert (
        calendar.business_time_between(msk(2026, 1, 16, 18), msk(2026, 1, 19, 8))
        == 9 * HOUR
    )


def test_adding_business_time_continues_on_the_next_opening(calendar: Calendar) -> None:
    assert calendar.add_business_time(msk(2026, 1, 16, 18), 2 * HOUR) == msk(
        2026, 1, 17, 10
    )


def test_adding_skips_the_new_year_holidays(calendar: Calendar) -> None:
    assert calendar.add_business_time(msk(2026, 12, 30, 18), 2 * HOUR) == msk(
        2027, 1, 9, 10
    )


def test_a_duration_ending_at_closing_time_ends_at_the_next_opening(
    calendar: Calendar,
) -> None:
    assert calendar.add_business_time(msk(2026, 1, 12, 18), HOUR) == msk(2026, 1, 13, 7)


def test_adding_nothing_while_closed_gives_the_next_opening(calendar: Calendar) -> None:
    assert calendar.add_business_time(msk(2026, 1, 12, 20), dt.timedelta(0)) == msk(
        2026, 1, 13, 7
    )


def test_time_between_is_negative_backwards(calendar: Calendar) -> None:
    assert (
        calendar.business_time_between(msk(2026, 1, 12, 12), msk(2026, 1, 12, 10))
        == -2 * HOUR
    )


def test_a_negative_duration_is_refused(calendar: Calendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add_business_time(msk(2026, 1, 12, 12), -HOUR)


def test_a_week_without_hours_never_opens() -> None:
    closed = Calendar(weekly=((),) * 7)

    assert closed.status(msk(2026, 1, 12, 12)) == (False, None, "weekend")
    assert closed.next_opening(msk(2026, 1, 12, 12)) is None
    with pytest.raises(NoOpeningError):
        closed.add_business_time(msk(2026, 1, 12, 12), HOUR)


def test_several_intervals_a_day_and_touching_ones_merge() -> None:
    split = (Interval(dt.time(9), dt.time(12)), Interval(dt.time(13), dt.time(17)))
    touching = (Interval(dt.time(9), dt.time(12)), Interval(dt.time(12), dt.time(17)))
    calendar = Calendar(weekly=(split, touching, (), (), (), (), ()))

    assert calendar.status(msk(2026, 1, 12, 12, 30)) == (
        False,
        msk(2026, 1, 12, 13),
        "weekday",
    )
    assert calendar.status(msk(2026, 1, 13, 11)).closes_at == msk(2026, 1, 13, 17)
    assert calendar.business_time_between(msk(2026, 1, 12), msk(2026, 1, 13)) == (
        7 * HOUR
    )


def test_hours_across_a_daylight_saving_change_count_real_time() -> None:
    """Europe/London springs forward at 01:00 on 29 March 2026: a night shift
    00:00–03:00 lasts two hours that day."""
    night = (Interval(dt.time(0), dt.time(3)),)
    calendar = Calendar(weekly=(night,) * 7, tz=LONDON)
    day_start = dt.datetime(2026, 3, 29, tzinfo=LONDON)

    assert (
        calendar.business_time_between(day_start, day_start + dt.timedelta(hours=12))
        == 2 * HOUR
    )
    assert calendar.add_business_time(day_start, 90 * dt.timedelta(minutes=1)) == (
        dt.datetime(2026, 3, 29, 2, 30, tzinfo=LONDON)
    )
    # ... and three hours on an ordinary day.
    assert (
        calendar.business_time_between(
            dt.datetime(2026, 3, 30, tzinfo=LONDON),
            dt.datetime(2026, 3, 30, 12, tzinfo=LONDON),
        )
        == 3 * HOUR
    )


@pytest.mark.parametrize(
    ("due", "read"),
    [
        # Monday 11:00 plus eight hours runs out at Monday's closing.
        (msk(2026, 1, 13, 7), msk(2026, 1, 12, 19)),
        # Saturday's closing, read from Monday's opening over the Sunday.
        (msk(2026, 1, 19, 7), msk(2026, 1, 17, 16)),
        # Over the New Year holidays.
        (msk(2027, 1, 9, 9), msk(2026, 12, 30, 19)),
        # Inside an opening it is what it is.
        (msk(2026, 1, 13, 10, 30), msk(2026, 1, 13, 10, 30)),
    ],
)
def test_a_deadline_at_an_opening_is_read_as_the_closing_before(
    calendar: Calendar, due: dt.datetime, read: dt.datetime
) -> None:
    assert calendar.deadline_as_read(due) == read


def test_the_deadline_as_read_keeps_the_arithmetic(calendar: Calendar) -> None:
    due = calendar.add_business_time(msk(2026, 1, 12, 11), 8 * HOUR)

    assert due == msk(2026, 1, 13, 7)
    assert calendar.deadline_as_read(due) == msk(2026, 1, 12, 19)
