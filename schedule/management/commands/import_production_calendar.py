from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from schedule.services import import_production_calendar
from schedule.xmlcalendar import CalendarFileError, ParsedDay


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "Import one year of the Russian production calendar from an xmlcalendar "
        "file, and report the days added, changed and removed. Running it again "
        "on the same file changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", type=Path, help="e.g. schedule/calendars/ru-2027.xml"
        )
        parser.add_argument(
            "--decree-number", help="the Government decree's number, e.g. 1187"
        )
        parser.add_argument(
            "--decree-date", type=_iso_date, help="the decree's date, e.g. 2026-09-17"
        )

    # Like Django's own commands, the output is English whatever LANGUAGE_CODE.
    @no_translations
    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        try:
            report = import_production_calendar(
                path,
                decree_number=options["decree_number"],  # type: ignore[arg-type]
                decree_date=options["decree_date"],  # type: ignore[arg-type]
            )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except CalendarFileError as error:
            raise CommandError(
                f"{path} is not a valid production calendar: {error}"
            ) from error

        if not report.has_changes:
            self.stdout.write(
                f"{report.year}: already up to date with {path.name}; nothing changed."
            )
            return
        if report.year_created:
            self.stdout.write(f"{report.year}: new calendar year.")
        elif report.decree_changed:
            self.stdout.write(f"{report.year}: decree updated.")
        for day in report.added:
            self.stdout.write(f"  added    {_describe(day)}")
        for old, new in report.changed:
            self.stdout.write(f"  changed  {_describe(old)}  ->  {_describe(new)}")
        for day in report.removed:
            self.stdout.write(f"  removed  {_describe(day)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.year}: {len(report.added)} added, "
                f"{len(report.changed)} changed, {len(report.removed)} removed."
            )
        )


def _describe(day: ParsedDay) -> str:
    text = f"{day.date:%Y-%m-%d} {day.kind.value}"
    if day.holiday:
        text += f" ({day.holiday})"
    if day.moved_from:
        text += f" moved from {day.moved_from:%Y-%m-%d}"
    return text
