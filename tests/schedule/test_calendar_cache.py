from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schedule import current
from schedule.models import CalendarDay, DateOverride, WeeklyHours
from tests.schedule.support import DATA_DIR, msk

pytestmark = pytest.mark.django_db

MONDAY_NOON = msk(2026, 1, 12, 12)


def test_a_warm_calendar_answers_without_queries() -> None:
    current.status(MONDAY_NOON)

    with CaptureQueriesContext(connection) as queries:
        for hour in range(24 * 14):
            current.status(MONDAY_NOON + dt.timedelta(hours=hour))
        current.add_business_time(MONDAY_NOON, dt.timedelta(hours=30))
        current.business_time_between(MONDAY_NOON, msk(2026, 2, 1))

    assert len(queries) == 0


def test_a_cold_calendar_loads_in_four_queries() -> None:
    with CaptureQueriesContext(connection) as queries:
        current.status(MONDAY_NOON)

    assert len(queries) == 4


def test_an_override_saved_in_the_admin_applies_at_once() -> None:
    assert current.status(MONDAY_NOON).is_open

    DateOverride.objects.create(date=dt.date(2026, 1, 12), note="Company event")

    assert current.status(MONDAY_NOON) == (False, msk(2026, 1, 13, 7), "override")


def test_edited_weekly_hours_apply_at_once() -> None:
    assert current.status(msk(2026, 1, 12, 19, 30)).opens_at == msk(2026, 1, 13, 7)

    monday = WeeklyHours.objects.get(weekday=WeeklyHours.Weekday.MONDAY)
    monday.closes_at = dt.time(20)
    monday.save()

    assert current.status(msk(2026, 1, 12, 19, 30)).closes_at == msk(2026, 1, 12, 20)


def test_a_deleted_calendar_day_applies_at_once() -> None:
    assert not current.status(msk(2026, 12, 31, 12)).is_open

    CalendarDay.objects.filter(date=dt.date(2026, 12, 31)).delete()

    assert current.status(msk(2026, 12, 31, 12)).is_open


def test_an_import_invalidates_the_calendar(tmp_path) -> None:
    changed = tmp_path / "ru-2027.xml"
    changed.write_text(
        (DATA_DIR / "ru-2027.xml")
        .read_text(encoding="utf-8")
        .replace('<day d="12.31" t="1" f="01.03"/>', ""),
        encoding="utf-8",
    )
    assert not current.status(msk(2027, 12, 31, 12)).is_open

    call_command("import_production_calendar", str(changed), stdout=None)

    assert current.status(msk(2027, 12, 31, 12)).is_open


def test_another_process_reloads_once_the_version_changes(monkeypatch) -> None:
    """A change made by another process reaches this one through the shared
    cache within CHECK_SECONDS, and not before."""
    clock = [1000.0]
    monkeypatch.setattr(current.time, "monotonic", lambda: clock[0])
    assert current.status(MONDAY_NOON).is_open
    # Another process: writes the row and publishes a new version; its
    # signal has no effect on this process's copy, which is kept here.
    kept = current._loaded
    DateOverride.objects.create(date=dt.date(2026, 1, 12))
    current._loaded = kept
    cache.set(current.VERSION_KEY, "from-another-process")

    clock[0] += current.CHECK_SECONDS / 2
    assert current.status(MONDAY_NOON).is_open
    clock[0] += current.CHECK_SECONDS
    assert not current.status(MONDAY_NOON).is_open


def test_a_cleared_cache_makes_the_process_reload(monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(current.time, "monotonic", lambda: clock[0])
    current.status(MONDAY_NOON)
    cache.delete(current.VERSION_KEY)
    clock[0] += current.CHECK_SECONDS

    with CaptureQueriesContext(connection) as queries:
        current.status(MONDAY_NOON)

    assert len(queries) == 4
    assert cache.get(current.VERSION_KEY)


def test_the_version_is_published_only_after_commit(
    django_capture_on_commit_callbacks,
) -> None:
    before = current._shared_version()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        DateOverride.objects.create(date=dt.date(2026, 1, 12))
    assert current._shared_version() == before

    for callback in callbacks:
        callback()
    assert current._shared_version() != before


def test_an_unreachable_cache_keeps_the_site_answering(monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(current.cache, "get", broken)

    assert current.status(MONDAY_NOON).is_open
