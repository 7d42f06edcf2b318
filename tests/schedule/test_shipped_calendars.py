from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from schedule.models import CalendarDay, CalendarYear, WeeklyHours
from schedule.xmlcalendar import CALENDARS_DIR
from tests.schedule.support import DATA_DIR, SHIPPED_YEARS, xml_days

pytestmark = pytest.mark.django_db


def test_the_data_migrations_install_the_default_weekly_hours() -> None:
    rows = [(h.weekday, h.opens_at, h.closes_at) for h in WeeklyHours.objects.all()]

    assert rows == [
        *[(weekday, dt.time(7), dt.time(19)) for weekday in range(5)],
        (5, dt.time(9), dt.time(16)),
    ]


def test_the_data_migrations_install_2025_to_2027_with_their_decrees() -> None:
    decrees = {
        year.year: (year.decree_number, year.decree_date, year.days.count())
        for year in CalendarYear.objects.all()
    }

    assert decrees == {
        2025: ("1335", dt.date(2024, 10, 4), len(xml_days(2025))),
        2026: ("1466", dt.date(2025, 9, 24), len(xml_days(2026))),
        2027: ("1187", dt.date(2026, 9, 17), len(xml_days(2027))),
    }
    with translation.override("en"):
        assert CalendarYear.objects.get(year=2026).decree == (
            "Decree No. 1466 of 24.09.2025"
        )


@pytest.mark.parametrize("year", SHIPPED_YEARS)
def test_the_shipped_files_match_the_official_copies(year: int) -> None:
    shipped = (CALENDARS_DIR / f"ru-{year}.xml").read_bytes()

    assert shipped == (DATA_DIR / f"ru-{year}.xml").read_bytes()


def test_holiday_titles_and_moved_days_are_kept() -> None:
    day = CalendarDay.objects.get(date=dt.date(2027, 2, 22))

    assert (day.kind, day.moved_from) == ("day_off", dt.date(2027, 2, 20))
    assert CalendarDay.objects.get(date=dt.date(2026, 5, 9)).holiday == "День Победы"
