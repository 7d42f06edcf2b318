"""The weekly report e-mailed to the supervisors.

Every Monday morning (beat, `reports.tasks.send_weekly_report`) the last
whole Moscow week, Monday to Sunday, goes beside the week before to each
supervisor (`supervisors()`), in their own language:

1. The week's figures are read once (`weekly_figures`): the totals and the
   rows by group and by agent, as the reports page computes them, and the
   tickets open now; from the replica if there is one, since the week is
   over and a replica's lag changes nothing in it.
2. In one transaction the week is recorded (`WeeklyReport`, one row a week)
   and an e-mail a supervisor is written to the outbox. A second run for the
   week, a retry or a run in another worker at the same time finds the row
   and sends nothing; a run that fails leaves neither row nor e-mail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.db_router import reading_from_replica
from notifications.models import Notification
from notifications.services import wants
from outbox import email as outbox
from reports.figures import DIMENSIONS, Figures, Period, Report, Row, report
from reports.models import WeeklyReport
from reports.templatetags.reports_tags import change, percent, seconds_as_support_time
from schedule.hours import MOSCOW
from tickets.models import Ticket

# Whoever may see the reports receives the weekly one.
PERMISSION = "tickets.view_dashboard"
# The week's tickets by these dimensions, in this order; the link opens the
# reports page by the last.
BY = ("group", "agent")
KIND = Notification.Kind.WEEKLY_REPORT


@dataclass(frozen=True, slots=True)
class WeeklyFigures:
    period: Period
    # One report a dimension of `BY`, each beside the week before.
    reports: tuple[Report, ...]
    open_now: int

    @property
    def total(self) -> Row:
        return self.reports[0].total


def week_of(day: dt.date) -> Period:
    """The Moscow week, Monday to Sunday, that holds the day."""
    monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def last_week(today: dt.date | None = None) -> Period:
    """The last whole week before today's (Moscow)."""
    today = today or localdate(timezone=MOSCOW)
    return week_of(today - dt.timedelta(days=7))


def report_path(period: Period) -> str:
    """The reports page for the period, by the last dimension of `BY`."""
    query = urlencode(
        {
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "by": BY[-1],
        }
    )
    return f"{reverse('reports:report')}?{query}"


def weekly_figures(period: Period) -> WeeklyFigures:
    with reading_from_replica():
        return WeeklyFigures(
            period=period,
            reports=tuple(report(period, by, rows_before=False) for by in BY),
            open_now=Ticket.objects.open().count(),
        )


def supervisors() -> list[User]:
    """Who receives the report: active staff with an e-mail address who may
    see the reports (by a role, a permission of their own or as a
    superuser, as `has_perm` answers), but not those who turned it off in
    their notification preferences."""
    people = (
        ModelBackend()
        .with_perm(PERMISSION)
        .active_staff()
        .exclude(email="")
        .select_related("notification_preferences")
        .order_by("pk")
    )
    return [person for person in people if wants(person, KIND, channel="email")]


def _median(figures: Figures) -> str:
    return seconds_as_support_time(figures.first_response_median) or "—"


def _resolution(figures: Figures) -> str:
    return seconds_as_support_time(figures.resolution_median) or "—"


def _replies(figures: Figures) -> str:
    per_ticket = figures.replies_per_ticket
    return "—" if per_ticket is None else floatformat(per_ticket, 1)


def _score(figures: Figures) -> str:
    return "—" if figures.score is None else floatformat(figures.score, 1)


def _totals(total: Row) -> list[tuple[str, str, str]]:
    """(figure, this week, the week before), a line each, in the active
    language."""
    writers = [
        (_("Tickets"), lambda figures: str(figures.tickets)),
        (_("Solved"), lambda figures: str(figures.solved)),
        (_("Median first response"), _median),
        (
            _("First responses within target"),
            lambda figures: percent(figures.first_response_share),
        ),
        (_("Median resolution"), _resolution),
        (_("Solved within target"), lambda figures: percent(figures.resolution_share)),
        (_("Replies per ticket"), _replies),
        (_("Average rating"), _score),
        (_("Ratings"), lambda figures: str(figures.rated)),
    ]
    return [(label, write(total.now), write(total.before)) for label, write in writers]


def _table(shown: Report) -> dict:
    """A report's rows as the e-mail shows them, as the reports page does."""
    headings = [
        _("Tickets"),
        _("Change"),
        _("Solved"),
        _("Median first response"),
        _("First responses within target"),
        _("Solved within target"),
        _("Average rating"),
    ]
    rows = []
    for row in shown.rows:
        values = [
            str(row.now.tickets),
            change(row.now.tickets, row.before.tickets),
            str(row.now.solved),
            _median(row.now),
            percent(row.now.first_response_share),
            percent(row.now.resolution_share),
            _score(row.now),
        ]
        rows.append(
            {
                # The figures were read in another language: "(none)" in
                # this one.
                "name": row.name if row.key is not None else _("(none)"),
                "values": values,
                "labelled": list(zip(headings, values, strict=True)),
            }
        )
    label = DIMENSIONS[shown.dimension].label
    return {
        "title": _("By %(by)s") % {"by": label},
        "headings": [str(label), *headings],
        "rows": rows,
    }


def weekly_email(person: User, figures: WeeklyFigures) -> tuple[str, str, str]:
    """The subject, text and HTML of the week's e-mail to one person, in
    their language (also to look at a week's e-mail without sending it)."""
    site = settings.SITE_URL.rstrip("/")
    period = figures.period
    with translation.override(person.language):
        subject = _("Weekly report, %(first)s – %(last)s") % {
            "first": period.first.strftime("%d.%m.%Y"),
            "last": period.last.strftime("%d.%m.%Y"),
        }
        context = {
            "subject": subject,
            "period": period,
            "before": period.previous(),
            "totals": _totals(figures.total),
            "open_now": figures.open_now,
            "tables": [_table(shown) for shown in figures.reports],
            "report_url": site + report_path(period),
            "preferences_url": site + reverse("notifications:settings"),
            "kind": KIND.label,
        }
        text = render_to_string("reports/email/weekly_report.txt", context)
        html = render_to_string("reports/email/weekly_report.html", context)
    return subject, text, html


def send_weekly_report(day: dt.date | None = None) -> WeeklyReport | None:
    """E-mail last week's report, or that of the week holding `day`, to each
    supervisor, once a week: the week's record, or None when it had been
    sent. A week not over yet is refused: its record would stop the whole
    week's report."""
    period = week_of(day) if day is not None else last_week()
    if period.last >= localdate(timezone=MOSCOW):
        raise ValueError(f"The week from {period.first} is not over yet.")
    if WeeklyReport.objects.filter(week_start=period.first).exists():
        return None  # sent: no need to read the figures
    figures = weekly_figures(period)
    with transaction.atomic():
        # A run in another worker inserting the same week waits here for
        # the other to commit, then finds its row.
        record, created = WeeklyReport.objects.get_or_create(week_start=period.first)
        if not created:
            return None
        recipients = supervisors()
        for person in recipients:
            subject, text, html = weekly_email(person, figures)
            outbox.queue(
                [person.email],
                subject=subject,
                body=text,
                html_body=html,
                headers={"Auto-Submitted": "auto-generated"},
            )
        record.recipients.set(recipients)
    return record
