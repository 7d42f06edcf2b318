from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from schedule.hours import DayKind


class WeeklyHours(models.Model):
    """One opening interval of a weekday; a weekday without any is closed."""

    # Integers, not text: they are `date.weekday()` and sort Monday first.
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="weekly_hours_close_after_open",
                violation_error_message=_("Closing time must be after opening time."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="weekly_hours_weekday_valid"
            ),
            models.UniqueConstraint(
                fields=["weekday", "opens_at"],
                name="weekly_hours_unique_start",
                violation_error_message=_(
                    "This weekday already has an interval opening at that time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
        )


class CalendarYear(models.Model):
    """A year of the official production calendar; a year without one is a warning."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    decree_number = models.CharField(
        _("decree number"),
        max_length=32,
        blank=True,
        help_text=_("The Government decree that sets the year's days off."),
    )
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    source = models.CharField(_("source file"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("production calendar year")
        verbose_name_plural = _("production calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def decree(self) -> str:
        if not self.decree_number:
            return ""
        if self.decree_date is None:
            return _("Decree No. %(number)s") % {"number": self.decree_number}
        return _("Decree No. %(number)s of %(date)s") % {
            "number": self.decree_number,
            "date": date_format(self.decree_date, "d.m.Y"),
        }


class CalendarDay(models.Model):
    """A day the production calendar changes; any other day follows the weekly hours."""

    class Kind(models.TextChoices):
        DAY_OFF = DayKind.DAY_OFF.value, _("Day off")
        SHORTENED = DayKind.SHORTENED.value, _("Shortened working day")
        WORKING_DAY = DayKind.WORKING_DAY.value, _("Weekend day made a working day")

    calendar_year = models.ForeignKey(
        CalendarYear,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("calendar year"),
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    holiday = models.CharField(_("holiday"), max_length=200, blank=True)
    moved_from = models.DateField(
        _("moved from"),
        null=True,
        blank=True,
        help_text=_("For a day off moved by the decree: the date it came from."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()}"

    def clean(self) -> None:
        if (
            self.date
            and self.calendar_year_id
            and self.date.year != self.calendar_year.year
        ):
            raise ValidationError(
                {"date": _("The date must fall in the calendar year.")}
            )


class DateOverride(models.Model):
    """Hours for one date that beat the weekly hours and the production calendar."""

    date = models.DateField(_("date"), unique=True)
    is_closed = models.BooleanField(_("closed all day"), default=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the support hours page, e.g. “Company event”."),
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("date override")
        verbose_name_plural = _("date overrides")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(is_closed=True, opens_at__isnull=True, closes_at__isnull=True)
                    | Q(
                        is_closed=False,
                        opens_at__isnull=False,
                        closes_at__gt=F("opens_at"),
                    )
                ),
                name="date_override_closed_or_hours",
                violation_error_message=_(
                    "Mark the day closed, or give hours that close after they open."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.is_closed:
            return f"{self.date:%d.%m.%Y} —"
        return f"{self.date:%d.%m.%Y} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self) -> None:
        if self.is_closed:
            if self.opens_at or self.closes_at:
                raise ValidationError(
                    _("Clear the hours of a day that is closed all day.")
                )
        elif not self.opens_at or not self.closes_at:
            raise ValidationError(_("Give the hours, or mark the day closed."))
        elif self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("Closing time must be after opening time.")}
            )
