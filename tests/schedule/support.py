"""Helpers for the schedule tests: Moscow instants and calendars built from XML."""

from __future__ import annotations

import datetime as dt
import importlib
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps

from schedule import current
from schedule.hours import Calendar, CalendarEntry, DayKind

DATA_DIR = Path(__file__).resolve().parent / "data"
MSK = ZoneInfo("Europe/Moscow")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
LONDON = ZoneInfo("Europe/London")
SHIPPED_YEARS = (2025, 2026, 2027)


def msk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)  # type: ignore[misc]


def xml_days(year: int) -> dict[dt.date, dict[str, str]]:
    """The `day` elements of a year's file, read without the code under test."""
    root = ET.parse(DATA_DIR / f"ru-{year}.xml").getroot()
    titles = {h.get("id"): h.get("title") for h in root.iter("holiday")}
    days = {}
    for element in root.iter("day"):
        month, day = element.get("d", "").split(".")
        attributes = dict(element.attrib)
        attributes["title"] = titles.get(element.get("h"), "") or ""
        days[dt.date(year, int(month), int(day))] = attributes
    return days


def expected_hours(year: int) -> dict[dt.date, tuple[dt.time, dt.time] | None]:
    """The rules of issue 3, applied by hand to every day of a year."""
    days = xml_days(year)
    expected: dict[dt.date, tuple[dt.time, dt.time] | None] = {}
    date = dt.date(year, 1, 1)
    while date.year == year:
        kind = days.get(date, {}).get("t")
        if kind == "1":
            expected[date] = None
        elif kind == "2":
            expected[date] = (dt.time(7), dt.time(18))
        elif kind == "3" or date.weekday() < 5:
            expected[date] = (dt.time(7), dt.time(19))
        elif date.weekday() == 5:
            expected[date] = (dt.time(9), dt.time(16))
        else:
            expected[date] = None
        date += dt.timedelta(days=1)
    return expected


def xml_calendar(years: tuple[int, ...] = SHIPPED_YEARS, **options: object) -> Calendar:
    """A pure calendar with the default weekly hours and these years' files."""
    entries = {}
    for year in years:
        for date, attributes in xml_days(year).items():
            moved = attributes.get("f")
            entries[date] = CalendarEntry(
                kind={"1": DayKind.DAY_OFF, "2": DayKind.SHORTENED}.get(
                    attributes["t"], DayKind.WORKING_DAY
                ),
                holiday=attributes["title"],
                moved_from=dt.date(year, *map(int, moved.split(".")))
                if moved
                else None,
            )
    return Calendar(entries=entries, years=frozenset(years), **options)  # type: ignore[arg-type]


def restore_shipped_schedule() -> None:
    """Re-run the data migrations that `flush` undid (transactional tests)."""
    for name in ("0002_default_weekly_hours", "0003_production_calendars_2025_2027"):
        migration = importlib.import_module(f"schedule.migrations.{name}").Migration
        for operation in migration.operations:
            operation.code(django_apps, None)
    current.invalidate()
