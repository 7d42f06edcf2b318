from __future__ import annotations

import datetime as dt

import pytest

from schedule.hours import Calendar, Reason, Status
from tests.schedule.support import msk

TICK = dt.timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Monday 12 January 2026 opens at 07:00 ...
        (msk(2026, 1, 12, 7), (True, msk(2026, 1, 12, 19))),
        # ... and closes at 19:00 sharp, until Tuesday 07:00.
        (msk(2026, 1, 12, 19), (False, msk(2026, 1, 13, 7))),
        # Saturday 17 January closes at 16:00, until Monday 07:00.
        (msk(2026, 1, 17, 16), (False, msk(2026, 1, 19, 7))),
        # Thursday 30 April is shortened: closed at 18:00; 1 May is a holiday
        # and Saturday 2 May keeps the Saturday hours.
        (msk(2026, 4, 30, 18), (False, msk(2026, 5, 2, 9))),
    ],
)
def test_support_changes_state_exactly_at_the_boundary(
    calendar: Calendar, at: dt.datetime, expected: tuple[bool, dt.datetime]
) -> None:
    assert calendar.status(at - TICK).is_open is not expected[0]
    assert calendar.status(at)[:2] == expected


def test_at_six_fifty_nine_it_says_when_it_opens(calendar: Calendar) -> None:
    assert calendar.status(msk(2026, 1, 12, 6, 59, 59)) == Status(
        False, msk(2026, 1, 12, 7), Reason.WEEKDAY
    )


def test_saturday_opens_at_nine(calendar: Calendar) -> None:
    assert calendar.status(msk(2026, 1, 17, 8, 59)) == (
        False,
        msk(2026, 1, 17, 9),
        Reason.SATURDAY,
    )
    assert calendar.status(msk(2026, 1, 17, 9)) == (
        True,
        msk(2026, 1, 17, 16),
        Reason.SATURDAY,
    )


def test_a_shortened_saturday_works_weekday_hours_less_an_hour(
    calendar: Calendar,
) -> None:
    # 1 November 2025: a working Saturday before Unity Day, shortened.
    assert calendar.status(msk(2025, 11, 1, 7)) == (
        True,
        msk(2025, 11, 1, 18),
        Reason.SHORTENED,
    )


def test_the_shortening_is_a_setting() -> None:
    from tests.schedule.support import xml_calendar

    two_hours = xml_calendar(shortened_by=dt.timedelta(hours=2))

    assert two_hours.status(msk(2026, 4, 30, 12)).closes_at == msk(2026, 4, 30, 17)


def test_the_answer_is_in_moscow_time(calendar: Calendar) -> None:
    status = calendar.status(msk(2026, 1, 12, 12))

    assert status.closes_at is not None
    assert status.closes_at.isoformat() == "2026-01-12T19:00:00+03:00"
