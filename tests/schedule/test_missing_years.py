from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from schedule import current
from schedule.models import CalendarYear
from tests.schedule.support import msk

pytestmark = pytest.mark.django_db


def test_no_year_is_missing_while_the_shipped_years_cover_the_coming_months() -> None:
    assert current.missing_years(dt.date(2026, 11, 25)) == []


def test_next_year_is_missing_from_october_on() -> None:
    assert current.missing_years(dt.date(2027, 9, 1)) == []
    assert current.missing_years(dt.date(2027, 10, 15)) == [2028]


def test_the_current_year_is_missing_when_it_was_never_imported() -> None:
    CalendarYear.objects.filter(year=2026).delete()

    assert current.missing_years(dt.date(2026, 3, 1)) == [2026]


def test_today_is_the_moscow_date() -> None:
    with time_machine.travel(msk(2028, 1, 1, 1), tick=False):
        assert current.missing_years() == [2028]


def test_a_missing_year_counts_as_ordinary_weeks() -> None:
    """The arithmetic still answers; the staff are told (see the admin)."""
    assert current.status(msk(2028, 1, 3, 12)) == (True, msk(2028, 1, 3, 19), "weekday")
