from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from schedule import current, texts
from schedule.hours import MOSCOW, Day, Reason
from schedule.models import WeeklyHours

STATUS_MAX_AGE = 30
# How far ahead the hours page lists holidays and changed days.
UPCOMING_DAYS = 92
# "+03:00" typed into a query string arrives as " 03:00" ("+" means space).
_LOST_PLUS = re.compile(r" (\d{2}(?::?\d{2})?)$")


@login_not_required
@require_safe
def status_api(request: HttpRequest) -> HttpResponse:
    """Public JSON for the vendor's web-site widget and the Telegram bot."""
    raw = request.GET.get("at")
    if raw is None:
        at = timezone.now()
    else:
        try:
            at = parse_instant(raw)
        except ValueError as error:
            return _cors(JsonResponse({"error": str(error)}, status=400))
    status = current.status(at)
    response = JsonResponse(
        {
            "open": status.is_open,
            "at": at.astimezone(MOSCOW).isoformat(),
            "closes_at": _iso(status.closes_at),
            "opens_at": _iso(status.opens_at),
            "reason": status.reason.value,
        }
    )
    patch_cache_control(response, public=True, max_age=STATUS_MAX_AGE)
    return _cors(response)


def parse_instant(raw: str) -> dt.datetime:
    """An ISO 8601 instant with a UTC offset; ValueError with a readable message."""
    text = _LOST_PLUS.sub(r"+\1", raw.strip())
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _(
                "“at” must be an ISO 8601 date and time with a UTC offset, "
                "e.g. 2026-01-12T09:30:00+03:00; got “%(value)s”."
            )
            % {"value": raw}
        ) from None
    if at.tzinfo is None:
        raise ValueError(
            _(
                "“at” has no UTC offset, so the instant is ambiguous: "
                "add one, e.g. %(example)s."
            )
            % {"example": f"{at.isoformat()}+03:00"}
        )
    if not 1970 <= at.year <= 2999:
        raise ValueError(_("“at” must fall between the years 1970 and 2999."))
    return at


@dataclass(frozen=True)
class WeekdayRow:
    name: str
    hours: str


@dataclass(frozen=True)
class ChangedDays:
    """One day that differs from the weekly hours, or a run of such days off."""

    days: tuple[Day, ...]

    @property
    def first(self) -> dt.date:
        return self.days[0].date

    @property
    def last(self) -> dt.date:
        return self.days[-1].date

    @property
    def is_closed(self) -> bool:
        return not self.days[0].openings

    @property
    def label(self) -> str:
        if len(self.days) == 1:
            return texts.day_label(self.days[0])
        names = list(
            dict.fromkeys(texts.holiday_name(d.holiday) for d in self.days if d.holiday)
        )
        if not names:
            return _("Days off")
        return _("Days off: %(holidays)s") % {"holidays": ", ".join(names)}

    @property
    def hours(self) -> str:
        return texts.hours_text(self.days[0])


@login_not_required
@require_safe
def support_hours(request: HttpRequest) -> HttpResponse:
    """The public "Support hours and contacts" page."""
    calendar = current.calendar()
    today = current.today()
    # A plain Monday-to-Sunday week, before calendar changes and overrides.
    week = [
        WeekdayRow(
            name=str(label),
            hours=", ".join(f"{i.opens:%H:%M}–{i.closes:%H:%M}" for i in intervals)
            or _("closed"),
        )
        for label, intervals in zip(
            WeeklyHours.Weekday.labels, calendar.weekly, strict=True
        )
    ]
    changes = group_changed_days(
        calendar.days(today, today + dt.timedelta(days=UPCOMING_DAYS))
    )
    user = request.user
    return render(
        request,
        "schedule/support_hours.html",
        {
            "week": week,
            "changes": changes,
            "missing_years": current.missing_years(today) if user.is_staff else [],
        },
    )


def group_changed_days(days: Iterable[Day]) -> list[ChangedDays]:
    """Holidays, shortened, transferred and overridden days, in date order;
    consecutive closed days make one run."""
    rows: list[ChangedDays] = []
    for day in days:
        if day.reason not in NOTABLE:
            continue
        previous = rows[-1] if rows else None
        if (
            previous is not None
            and previous.is_closed
            and not day.openings
            and day.reason == Reason.HOLIDAY
            and previous.days[-1].reason == Reason.HOLIDAY
            and previous.last + dt.timedelta(days=1) == day.date
        ):
            rows[-1] = ChangedDays((*previous.days, day))
        else:
            rows.append(ChangedDays((day,)))
    return rows


NOTABLE = frozenset(
    {Reason.HOLIDAY, Reason.SHORTENED, Reason.TRANSFERRED_WORKDAY, Reason.OVERRIDE}
)


def _iso(instant: dt.datetime | None) -> str | None:
    return instant.isoformat() if instant else None


def _cors(response: HttpResponse) -> HttpResponse:
    # The vendor's web site shows the status from another origin.
    response["Access-Control-Allow-Origin"] = "*"
    return response
