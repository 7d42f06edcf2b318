from __future__ import annotations

import datetime as dt

import pytest

from schedule import current
from schedule.hours import Reason
from tests.schedule.support import MSK, SHIPPED_YEARS, expected_hours, xml_days

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize("year", SHIPPED_YEARS)
def test_every_day_follows_the_official_calendar(year: int) -> None:
    """Through the database, as the data migration loaded it."""
    for date, hours in expected_hours(year).items():
        midnight = dt.datetime.combine(date, dt.time(0), MSK)
        if hours is None:
            for hour in (0, 8, 12, 15, 18, 23):
                status = current.status(midnight + dt.timedelta(hours=hour))
                assert not status.is_open, date
                assert status.opens_at is not None
                assert status.opens_at.date() > date
            continue
        opens = dt.datetime.combine(date, hours[0], MSK)
        closes = dt.datetime.combine(date, hours[1], MSK)
        assert current.status(opens - SECOND) == (False, opens, _reason(date)), date
        assert current.status(opens) == (True, closes, _reason(date)), date
        assert current.status(closes - SECOND).is_open, date
        after = current.status(closes)
        assert not after.is_open, date
        assert after.opens_at is not None
        assert after.opens_at.date() > date


@pytest.mark.parametrize("year", SHIPPED_YEARS)
def test_each_kind_of_day_has_its_reason(year: int) -> None:
    days = xml_days(year)
    for date in (dt.date(year, 1, 1) + dt.timedelta(n) for n in range(365)):
        noon = dt.datetime.combine(date, dt.time(12), MSK)
        assert current.status(noon).reason == _reason(date, days), date


def _reason(date: dt.date, days: dict | None = None) -> Reason:
    kind = (days if days is not None else xml_days(date.year)).get(date, {}).get("t")
    if kind == "1":
        return Reason.HOLIDAY
    if kind == "2":
        return Reason.SHORTENED
    if kind == "3":
        return Reason.TRANSFERRED_WORKDAY
    return {5: Reason.SATURDAY, 6: Reason.WEEKEND}.get(date.weekday(), Reason.WEEKDAY)


def test_the_2026_calendar_has_the_days_the_rules_name() -> None:
    """A guard on the test itself: the year has each kind of day it checks."""
    expected = expected_hours(2026)
    closing_times = {hours[1] for hours in expected.values() if hours}
    assert closing_times == {dt.time(16), dt.time(18), dt.time(19)}
    assert expected[dt.date(2026, 1, 10)] == (dt.time(9), dt.time(16))  # Saturday
    assert expected[dt.date(2026, 5, 9)] is None  # Victory Day, a Saturday
    assert expected[dt.date(2026, 4, 30)] == (dt.time(7), dt.time(18))
