from __future__ import annotations

import datetime as dt

import pytest

from schedule import current
from schedule.hours import Calendar, NaiveDatetimeError
from tests.schedule.support import LONDON, MSK, VLADIVOSTOK, msk

UTC = dt.UTC


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 22:00 UTC on Monday is 01:00 on Tuesday in Moscow.
        (dt.datetime(2026, 1, 12, 22, tzinfo=UTC), (False, msk(2026, 1, 13, 7))),
        (dt.datetime(2026, 1, 12, 4, tzinfo=UTC), (True, msk(2026, 1, 12, 19))),
        (dt.datetime(2026, 1, 12, 3, 59, 59, tzinfo=UTC), (False, msk(2026, 1, 12, 7))),
        # 14:00 in Vladivostok (UTC+10) is 07:00 in Moscow.
        (
            dt.datetime(2026, 1, 12, 14, tzinfo=VLADIVOSTOK),
            (True, msk(2026, 1, 12, 19)),
        ),
        # 01:00 on Saturday in Vladivostok is still Friday evening in Moscow.
        (dt.datetime(2026, 1, 17, 1, tzinfo=VLADIVOSTOK), (True, msk(2026, 1, 16, 19))),
        # London in summer (BST, UTC+1): 17:00 is 19:00 in Moscow.
        (dt.datetime(2026, 7, 13, 17, tzinfo=LONDON), (False, msk(2026, 7, 14, 7))),
        (dt.datetime(2026, 7, 13, 16, 59, tzinfo=LONDON), (True, msk(2026, 7, 13, 19))),
        # London in winter (GMT): 16:00 is 19:00 in Moscow.
        (dt.datetime(2026, 1, 12, 16, tzinfo=LONDON), (False, msk(2026, 1, 13, 7))),
    ],
)
def test_the_moscow_date_and_time_of_the_instant_decide(
    calendar: Calendar, at: dt.datetime, expected: tuple[bool, dt.datetime]
) -> None:
    assert calendar.status(at)[:2] == expected


def test_the_answer_comes_back_in_moscow_time(calendar: Calendar) -> None:
    at = dt.datetime(2026, 1, 12, 14, tzinfo=VLADIVOSTOK)

    closes_at = calendar.status(at).closes_at

    assert closes_at is not None
    assert closes_at.tzinfo == MSK


@pytest.mark.parametrize(
    "ask",
    [
        lambda c, t: c.status(t),
        lambda c, t: c.next_opening(t),
        lambda c, t: c.add_business_time(t, dt.timedelta(hours=1)),
        lambda c, t: c.business_time_between(t, msk(2026, 1, 13)),
        lambda c, t: c.business_time_between(msk(2026, 1, 13), t),
    ],
)
def test_a_naive_datetime_is_refused(calendar: Calendar, ask) -> None:
    with pytest.raises(NaiveDatetimeError):
        ask(calendar, dt.datetime(2026, 1, 12, 12))  # noqa: DTZ001


@pytest.mark.django_db
def test_the_shared_calendar_refuses_a_naive_datetime_too() -> None:
    with pytest.raises(NaiveDatetimeError):
        current.status(dt.datetime(2026, 1, 12, 12))  # noqa: DTZ001
