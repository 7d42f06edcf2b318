from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schedule import current, texts
from schedule.hours import Day, Reason
from schedule.models import CalendarDay, CalendarYear, DateOverride, WeeklyHours

CELL_CLASSES = {
    Reason.WEEKDAY: "weekday",
    Reason.SATURDAY: "saturday",
    Reason.WEEKEND: "weekend",
    Reason.HOLIDAY: "holiday",
    Reason.SHORTENED: "shortened",
    Reason.TRANSFERRED_WORKDAY: "transferred",
    Reason.OVERRIDE: "override",
}
LEGEND = [
    ("weekday", gettext_lazy("Weekday: weekly hours")),
    ("saturday", gettext_lazy("Saturday: Saturday hours")),
    ("weekend", gettext_lazy("Closed by the weekly hours")),
    ("holiday", gettext_lazy("Day off by the production calendar")),
    ("shortened", gettext_lazy("Shortened pre-holiday day")),
    ("transferred", gettext_lazy("Weekend day made a working day")),
    ("override", gettext_lazy("Date override")),
]


class ScheduleAdmin(admin.ModelAdmin):
    """Every schedule change list warns about years without calendar data."""

    change_list_template = "schedule/admin/change_list.html"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "missing_years": current.missing_years(),
            "calendar_url": reverse(
                "admin:schedule_calendarday_year", args=[current.today().year]
            ),
        }
        return super().changelist_view(request, extra_context)


@admin.register(WeeklyHours)
class WeeklyHoursAdmin(ScheduleAdmin):
    list_display = ["weekday", "opens_at", "closes_at", "updated_at"]
    list_filter = ["weekday"]


@admin.register(CalendarYear)
class CalendarYearAdmin(ScheduleAdmin):
    list_display = ["year", "decree_number", "decree_date", "day_count", "source"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return super().get_queryset(request).annotate(day_count=Count("days"))

    @admin.display(description=gettext_lazy("days listed"), ordering="day_count")
    def day_count(self, obj: CalendarYear) -> int:
        return obj.day_count  # type: ignore[attr-defined]


@admin.register(CalendarDay)
class CalendarDayAdmin(ScheduleAdmin):
    list_display = ["date", "weekday", "kind", "holiday", "moved_from"]
    list_filter = ["kind", "calendar_year"]
    date_hierarchy = "date"
    search_fields = ["holiday"]

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WeeklyHours.Weekday(obj.date.weekday()).label)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "year/<int:year>/",
                self.admin_site.admin_view(self.year_view),
                name="schedule_calendarday_year",
            ),
            *super().get_urls(),
        ]

    def year_view(self, request: HttpRequest, year: int) -> HttpResponse:
        """A year as twelve month grids, as `schedule.current` computes it."""
        calendar = current.calendar()
        links = {
            day.date: reverse("admin:schedule_calendarday_change", args=[day.pk])
            for day in CalendarDay.objects.filter(date__year=year)
        }
        links.update(
            (
                override.date,
                reverse("admin:schedule_dateoverride_change", args=[override.pk]),
            )
            for override in DateOverride.objects.filter(date__year=year)
        )
        today = current.today()
        months = [
            Month(
                name=str(MONTHS[month]),
                weeks=[
                    [
                        Cell.of(calendar.day(date), links.get(date), today)
                        if date.month == month
                        else None
                        for date in week
                    ]
                    for week in stdlib_calendar.Calendar().monthdatescalendar(
                        year, month
                    )
                ],
            )
            for month in range(1, 13)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Support calendar %(year)s") % {"year": year},
            "year": year,
            "months": months,
            "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
            "legend": LEGEND,
            "has_data": year in calendar.years,
            "calendar_year": CalendarYear.objects.filter(year=year).first(),
            "missing_years": current.missing_years(),
        }
        return TemplateResponse(request, "schedule/admin/calendar_year.html", context)


@admin.register(DateOverride)
class DateOverrideAdmin(ScheduleAdmin):
    list_display = ["date", "is_closed", "opens_at", "closes_at", "note"]
    list_filter = ["is_closed"]
    date_hierarchy = "date"
    search_fields = ["note"]


@dataclass(frozen=True)
class Cell:
    date: dt.date
    css_class: str
    title: str
    link: str | None
    is_today: bool

    @classmethod
    def of(cls, day: Day, link: str | None, today: dt.date) -> Cell:
        label = texts.day_label(day)
        hours = texts.hours_text(day)
        return cls(
            date=day.date,
            css_class=CELL_CLASSES[day.reason],
            title=f"{label}: {hours}" if label else hours,
            link=link,
            is_today=day.date == today,
        )


@dataclass(frozen=True)
class Month:
    name: str
    weeks: list[list[Cell | None]]
