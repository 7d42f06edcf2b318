"""Reading production calendars in the xmlcalendar format.

    <calendar year="2027">
      <holidays><holiday id="1" title="Новогодние каникулы"/>...</holidays>
      <days><day d="01.01" t="1" h="1"/><day d="02.22" t="1" f="02.20"/>...</days>
    </calendar>

`d` is month.day; `t` is 1 (day off), 2 (shortened working day) or 3 (a weekend
day made a working day); `h` names a holiday; `f` is the date a moved day off
came from. A Saturday or Sunday without a `day` element is an ordinary day off.
Pure: the data migration and the import command share it.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from schedule.hours import DayKind

CALENDARS_DIR = Path(__file__).resolve().parent / "calendars"

KINDS = {"1": DayKind.DAY_OFF, "2": DayKind.SHORTENED, "3": DayKind.WORKING_DAY}


class CalendarFileError(ValueError):
    """The file is not a production calendar this code can trust."""


@dataclass(frozen=True)
class ParsedDay:
    date: dt.date
    kind: DayKind
    holiday: str = ""
    moved_from: dt.date | None = None


@dataclass(frozen=True)
class ParsedCalendar:
    year: int
    days: tuple[ParsedDay, ...]


def parse_calendar(data: bytes) -> ParsedCalendar:
    """Parse and check one year; raise `CalendarFileError` saying what is wrong."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise CalendarFileError(
            _("The file is not well-formed XML: %(error)s.") % {"error": error}
        ) from error
    if root.tag != "calendar":
        raise CalendarFileError(
            _("The root element is <%(tag)s>, not <calendar>.") % {"tag": root.tag}
        )
    year_text = root.get("year", "")
    if not year_text.isdigit() or not 1992 <= int(year_text) <= 2200:
        raise CalendarFileError(
            _("<calendar> has no valid year attribute (found “%(value)s”).")
            % {"value": year_text}
        )
    year = int(year_text)

    holidays: dict[str, str] = {}
    for element in root.iterfind("holidays/holiday"):
        holiday_id, title = element.get("id", ""), element.get("title", "").strip()
        if not holiday_id or not title or holiday_id in holidays:
            raise CalendarFileError(
                _("Holiday id “%(id)s” is missing, untitled or repeated.")
                % {"id": holiday_id}
            )
        holidays[holiday_id] = title

    days_element = root.find("days")
    if days_element is None:
        raise CalendarFileError(_("The file has no <days> element."))
    days: dict[dt.date, ParsedDay] = {}
    for element in days_element:
        if element.tag != "day":
            raise CalendarFileError(
                _("Unexpected element <%(tag)s> in <days>.") % {"tag": element.tag}
            )
        date = _month_day(element.get("d", ""), year, "d")
        kind = KINDS.get(element.get("t", ""))
        if kind is None:
            raise CalendarFileError(
                _("Day %(day)s has type t=“%(type)s”; expected 1, 2 or 3.")
                % {"day": element.get("d"), "type": element.get("t", "")}
            )
        holiday_id = element.get("h")
        if holiday_id is not None and holiday_id not in holidays:
            raise CalendarFileError(
                _("Day %(day)s names holiday h=“%(id)s”, which is not listed.")
                % {"day": element.get("d"), "id": holiday_id}
            )
        moved = element.get("f")
        if date in days:
            raise CalendarFileError(
                _("Day %(day)s appears twice.") % {"day": element.get("d")}
            )
        days[date] = ParsedDay(
            date=date,
            kind=kind,
            holiday=holidays.get(holiday_id or "", ""),
            moved_from=_month_day(moved, year, "f") if moved is not None else None,
        )
    return ParsedCalendar(year=year, days=tuple(sorted(days.values(), key=_date)))


def read_calendar(path: Path) -> ParsedCalendar:
    return parse_calendar(Path(path).read_bytes())


def _date(day: ParsedDay) -> dt.date:
    return day.date


def _month_day(value: str, year: int, attribute: str) -> dt.date:
    month, dot, day = value.partition(".")
    try:
        if not dot or not month.isdigit() or not day.isdigit():
            raise ValueError(value)
        return dt.date(year, int(month), int(day))
    except ValueError as error:
        raise CalendarFileError(
            _("%(attribute)s=“%(value)s” is not a date of %(year)s (MM.DD).")
            % {"attribute": attribute, "value": value, "year": year}
        ) from error
