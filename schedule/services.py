from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from schedule import current
from schedule.hours import DayKind
from schedule.models import CalendarDay, CalendarYear
from schedule.xmlcalendar import ParsedDay, read_calendar


@dataclass
class ImportReport:
    year: int
    added: list[ParsedDay] = field(default_factory=list)
    # (as stored, as in the file)
    changed: list[tuple[ParsedDay, ParsedDay]] = field(default_factory=list)
    removed: list[ParsedDay] = field(default_factory=list)
    year_created: bool = False
    decree_changed: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added
            or self.changed
            or self.removed
            or self.year_created
            or self.decree_changed
        )


@transaction.atomic
def import_production_calendar(
    path: Path,
    *,
    decree_number: str | None = None,
    decree_date: dt.date | None = None,
) -> ImportReport:
    """Make the stored year match an xmlcalendar file; write only what differs.

    1. Parse the whole file first: a malformed one changes nothing
       (`CalendarFileError`).
    2. Create the year, or update its decree if one is given and differs.
    3. Add, change and remove days, and say which.
    """
    parsed = read_calendar(path)
    report = ImportReport(year=parsed.year)

    calendar_year, report.year_created = CalendarYear.objects.get_or_create(
        year=parsed.year,
        defaults={
            "decree_number": decree_number or "",
            "decree_date": decree_date,
            "source": Path(path).name,
        },
    )
    if not report.year_created:
        updates: dict[str, object] = {}
        if decree_number is not None and decree_number != calendar_year.decree_number:
            updates["decree_number"] = decree_number
        if decree_date is not None and decree_date != calendar_year.decree_date:
            updates["decree_date"] = decree_date
        if updates:
            report.decree_changed = True
            updates["source"] = Path(path).name
            for name, value in updates.items():
                setattr(calendar_year, name, value)
            calendar_year.save(update_fields=[*updates, "updated_at"])

    stored = {day.date: day for day in calendar_year.days.all()}
    to_update: list[CalendarDay] = []
    for new in parsed.days:
        row = stored.pop(new.date, None)
        if row is None:
            report.added.append(new)
            continue
        old = _as_parsed(row)
        if old != new:
            report.changed.append((old, new))
            row.kind, row.holiday, row.moved_from = (
                new.kind.value,
                new.holiday,
                new.moved_from,
            )
            to_update.append(row)
    report.removed = [_as_parsed(row) for row in sorted(stored.values(), key=_date)]

    CalendarDay.objects.bulk_create(
        CalendarDay(
            calendar_year=calendar_year,
            date=day.date,
            kind=day.kind.value,
            holiday=day.holiday,
            moved_from=day.moved_from,
        )
        for day in report.added
    )
    for row in to_update:
        row.save(update_fields=["kind", "holiday", "moved_from", "updated_at"])
    if stored:
        CalendarDay.objects.filter(pk__in=[row.pk for row in stored.values()]).delete()
    if report.has_changes:
        # bulk_create sends no post_save signal.
        current.invalidate()
    return report


def _as_parsed(row: CalendarDay) -> ParsedDay:
    return ParsedDay(row.date, DayKind(row.kind), row.holiday, row.moved_from)


def _date(row: CalendarDay) -> dt.date:
    return row.date
