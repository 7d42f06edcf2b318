from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schedule.models import CalendarDay, CalendarYear
from tests.schedule.support import DATA_DIR

pytestmark = pytest.mark.django_db


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_production_calendar", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_new_year_is_imported_and_reported() -> None:
    output = run(DATA_DIR / "ru-2024.xml", "--decree-number", "2016")

    year = CalendarYear.objects.get(year=2024)
    assert year.decree_number == "2016"
    assert year.days.count() == 26
    assert CalendarDay.objects.get(date=dt.date(2024, 12, 28)).kind == "working_day"
    assert "2024: new calendar year." in output
    assert "added    2024-01-01 day_off (Новогодние каникулы)" in output
    assert "2024: 26 added, 0 changed, 0 removed." in output


def test_a_second_run_reports_no_change_and_writes_nothing() -> None:
    run(DATA_DIR / "ru-2024.xml")

    with CaptureQueriesContext(connection) as queries:
        output = run(DATA_DIR / "ru-2024.xml")

    assert "nothing changed" in output
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_a_shipped_year_is_already_up_to_date() -> None:
    output = run(DATA_DIR / "ru-2026.xml")

    assert "2026: already up to date" in output


def test_a_revised_file_reports_added_changed_and_removed_days(tmp_path: Path) -> None:
    revised = tmp_path / "ru-2026.xml"
    revised.write_text(
        (DATA_DIR / "ru-2026.xml")
        .read_text(encoding="utf-8")
        .replace('<day d="12.31" t="1" f="01.04"/>', '<day d="12.30" t="2"/>')
        .replace('<day d="11.03" t="2"/>', '<day d="11.03" t="1"/>'),
        encoding="utf-8",
    )

    output = run(revised)

    assert "added    2026-12-30 shortened" in output
    assert "changed  2026-11-03 shortened  ->  2026-11-03 day_off" in output
    assert "removed  2026-12-31 day_off moved from 2026-01-04" in output
    assert "2026: 1 added, 1 changed, 1 removed." in output
    assert CalendarDay.objects.get(date=dt.date(2026, 11, 3)).kind == "day_off"
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 31)).exists()


def test_a_new_decree_number_is_a_change() -> None:
    output = run(DATA_DIR / "ru-2026.xml", "--decree-number", "9999")

    assert "2026: decree updated." in output
    assert CalendarYear.objects.get(year=2026).decree_number == "9999"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<calendar year='2028'><days><day d='01.01'", "not well-formed XML"),
        ("<kalender year='2028'><days/></kalender>", "root element is <kalender>"),
        ("<calendar year='28'><days/></calendar>", "no valid year attribute"),
        ("<calendar year='2028'></calendar>", "no <days> element"),
        (
            "<calendar year='2028'><days><day d='02.30' t='1'/></days></calendar>",
            "d=“02.30” is not a date of 2028",
        ),
        (
            "<calendar year='2028'><days><day d='01.01' t='4'/></days></calendar>",
            "Day 01.01 has type t=“4”",
        ),
        (
            "<calendar year='2028'><days><day d='01.01' t='1' h='9'/></days></calendar>",
            "names holiday h=“9”, which is not listed",
        ),
        (
            "<calendar year='2028'><days><day d='01.01' t='1'/><day d='01.01' t='1'/>"
            "</days></calendar>",
            "Day 01.01 appears twice",
        ),
        (
            "<calendar year='2028'><days><day d='05.04' t='1' f='5.x'/></days></calendar>",
            "f=“5.x” is not a date",
        ),
    ],
)
def test_a_malformed_file_is_rejected_and_changes_nothing(
    tmp_path: Path, content: str, message: str
) -> None:
    broken = tmp_path / "ru-2028.xml"
    broken.write_text(content, encoding="utf-8")

    with pytest.raises(
        CommandError, match="is not a valid production calendar"
    ) as error:
        run(broken)

    assert message in str(error.value)
    assert not CalendarYear.objects.filter(year=2028).exists()


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot read .*ru-2030\.xml"):
        run(tmp_path / "ru-2030.xml")
