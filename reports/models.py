"""What the reports keep: the exports of a period's tickets, written by the
worker with their progress and kept for a day for whoever asked for them;
the weekly report e-mails sent."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ExportQuerySet(models.QuerySet["Export"]):
    def visible_to(self, user) -> ExportQuerySet:
        """An export holds what its author may see: it is theirs alone."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def expired(self, at: dt.datetime | None = None) -> ExportQuerySet:
        kept = dt.timedelta(hours=settings.REPORT_EXPORT_KEEP_HOURS)
        return self.filter(created_at__lt=(at or now()) - kept)


class Export(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX (Excel)"

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    format = models.CharField(_("format"), max_length=8, choices=Format)
    # The report's period (Moscow days, both included).
    first = models.DateField(_("from"))
    last = models.DateField(_("to"))
    state = models.CharField(
        _("state"), max_length=16, choices=State, default=State.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("tickets to write"), null=True)
    rows_done = models.PositiveIntegerField(_("tickets written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("requested"), default=now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def filename(self) -> str:
        return f"tickets-{self.first}-{self.last}.{self.format}"

    @property
    def content_type(self) -> str:
        if self.format == self.Format.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv; charset=utf-8"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class WeeklyReport(models.Model):
    """One week's report e-mail to the supervisors, recorded in the
    transaction that queues its e-mails: a second run for the week, or a run
    in another worker at once, finds the row and sends nothing
    (`reports.services.send_weekly_report`)."""

    # The Monday the Moscow week starts on.
    week_start = models.DateField(_("week from"), unique=True)
    # When its e-mails went to the outbox, which sends them after commit.
    sent_at = models.DateTimeField(_("sent"), default=now)
    recipients = models.ManyToManyField(
        User, verbose_name=_("recipients"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1),
                name="weekly_report_starts_on_monday",
            ),
        ]

    def __str__(self) -> str:
        return self.week_start.isoformat()
