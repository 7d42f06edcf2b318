from __future__ import annotations

import pytest

from schedule import current
from schedule.hours import Reason
from tests.schedule.support import msk

pytestmark = pytest.mark.django_db


def test_new_years_eve_2026_points_to_the_first_opening_of_2027() -> None:
    # 31 December 2026 is a day off moved from 4 January; 1–8 January 2027
    # are holidays; Saturday 9 January keeps the Saturday hours.
    status = current.status(msk(2026, 12, 31, 20))

    assert status == (False, msk(2027, 1, 9, 9), Reason.HOLIDAY)


def test_the_last_working_evening_of_2026_points_past_the_holidays() -> None:
    assert current.status(msk(2026, 12, 30, 19)).opens_at == msk(2027, 1, 9, 9)


def test_a_holiday_saturday_is_closed() -> None:
    # Saturday 2 January 2027 is one of the New Year holidays.
    assert current.status(msk(2027, 1, 2, 12)) == (
        False,
        msk(2027, 1, 9, 9),
        Reason.HOLIDAY,
    )


def test_the_moved_day_off_after_the_2026_holidays_is_closed() -> None:
    # Friday 9 January 2026 took the day off of Saturday 3 January.
    assert current.status(msk(2026, 1, 9, 12)) == (
        False,
        msk(2026, 1, 10, 9),
        Reason.HOLIDAY,
    )


def test_next_opening_is_the_same_instant_when_open() -> None:
    assert current.next_opening(msk(2027, 1, 11, 8)) == msk(2027, 1, 11, 8)
    assert current.next_opening(msk(2027, 1, 1, 0)) == msk(2027, 1, 9, 9)
