"""The supervisor dashboard page: the figures of `tickets.dashboard` as charts and tables."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, number_format
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from accounts.decorators import staff_required
from helpdesk.db_router import reads_from_replica
from schedule import current as support_hours
from tickets.dashboard import figures as dashboard
from tickets.dashboard.charts import (
    WIDE,
    Chart,
    Series,
    bar_chart,
    line_chart,
    queue_url,
)
from tickets.models import Ticket
from tickets.templatetags.tickets_tags import support_time

# Most urgent first in tables; stacked bottom-up in this order.
PRIORITIES = (
    (Ticket.Priority.CRITICAL, "bad"),
    (Ticket.Priority.HIGH, "warn"),
    (Ticket.Priority.NORMAL, "brand"),
    (Ticket.Priority.LOW, "muted"),
)
CHANNELS = (
    (Ticket.Channel.WEB, "brand"),
    (Ticket.Channel.EMAIL, "ok"),
    (Ticket.Channel.TELEGRAM, "sky"),
    (Ticket.Channel.PHONE, "warn"),
)
SCORE_TONES = {1: "bad", 2: "bad", 3: "warn", 4: "ok", 5: "ok"}


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: its heading, the cells and their total."""

    label: str
    cells: tuple[int, ...]
    total: int
    shaded: bool = False


@dataclass(frozen=True, slots=True)
class WeekRow:
    label: str
    replies: int
    median: str
    replies_met: str
    solved: int
    solved_met: str


def _met(compliance: dashboard.Compliance) -> str:
    if compliance.percent is None:
        return "—"
    return _("%(percent)s (%(met)s of %(judged)s)") % {
        "percent": _percent(compliance.percent),
        "met": compliance.met,
        "judged": compliance.judged,
    }


def _week_rows(figures: dashboard.Dashboard) -> list[WeekRow]:
    return [
        WeekRow(
            label=f"{date_format(week.starts_on, 'd.m')}–{date_format(week.ends_on, 'd.m.Y')}",
            replies=week.first_responses.compliance.total,
            median=support_time(week.first_responses.median) or "—",
            replies_met=_met(week.first_responses.compliance),
            solved=week.solved.total,
            solved_met=_met(week.solved),
        )
        for week in figures.weeks
    ]


def _hours(value: float) -> str:
    return number_format(value, decimal_pos=1 if value % 1 else 0)


def _percent(value: float) -> str:
    return f"{number_format(value, decimal_pos=0)}%"


def _day(day: datetime.date) -> str:
    return date_format(day, "d.m")


def _queue(**filters: str) -> str:
    return queue_url(filters.items())


def _open_tickets(figures: dashboard.Dashboard) -> tuple[Chart, list[Row], Row]:
    counts = figures.open_tickets
    statuses = Ticket.OPEN_STATUSES
    priority_of = {Ticket.Priority(p).label: p for p, _tone in PRIORITIES}
    chart = bar_chart(
        chart_id="chart-open",
        title=_("Open tickets by status and priority"),
        description=ngettext(
            "%(count)s unsolved ticket, stacked by priority.",
            "%(count)s unsolved tickets, stacked by priority.",
            counts.total,
        )
        % {"count": counts.total},
        labels=[Ticket.Status(s).label for s in statuses],
        series=[
            Series(
                Ticket.Priority(p).label,
                tuple(counts.count(s, p) for s in statuses),
                tone,
            )
            for p, tone in PRIORITIES
        ],
        links=lambda i, series: _queue(
            status=statuses[i], priority=priority_of[series.label]
        ),
    )
    rows = [
        Row(
            Ticket.Status(s).label,
            tuple(counts.count(s, p) for p, _tone in PRIORITIES),
            counts.by_status(s),
        )
        for s in statuses
    ]
    total = Row(
        _("Total"),
        tuple(counts.by_priority(p) for p, _tone in PRIORITIES),
        counts.total,
    )
    return chart, rows, total


def _daily(figures: dashboard.Dashboard) -> tuple[Chart, list[Row], Row]:
    daily = figures.daily
    calendar = support_hours.calendar()
    closed = [not calendar.day(day).is_working for day in daily.days]
    channel_of = {Ticket.Channel(c).label: c for c, _tone in CHANNELS}
    chart = bar_chart(
        chart_id="chart-daily",
        title=_("Tickets filed per day, last %(days)s days")
        % {"days": len(daily.days)},
        description=ngettext(
            "%(count)s ticket from %(first)s to %(last)s, stacked by channel; "
            "days when support was closed are shaded.",
            "%(count)s tickets from %(first)s to %(last)s, stacked by channel; "
            "days when support was closed are shaded.",
            daily.total,
        )
        % {
            "count": daily.total,
            "first": date_format(daily.days[0], "d.m.Y"),
            "last": date_format(daily.days[-1], "d.m.Y"),
        },
        labels=[_day(day) for day in daily.days],
        series=[
            Series(
                Ticket.Channel(c).label,
                tuple(daily.count(day, c) for day in daily.days),
                tone,
            )
            for c, tone in CHANNELS
        ],
        shaded=closed,
        shaded_label=_("Support closed"),
        width=WIDE,
        links=lambda i, series: _queue(
            view="all",
            channel=channel_of[series.label],
            created_from=daily.days[i].isoformat(),
            created_to=daily.days[i].isoformat(),
        ),
    )
    rows = [
        Row(
            date_format(day, "D d.m.Y"),
            tuple(daily.count(day, c) for c, _tone in CHANNELS),
            daily.on(day),
            shaded=is_closed,
        )
        for day, is_closed in zip(daily.days, closed, strict=True)
    ]
    total = Row(
        _("Total"), tuple(daily.by_channel(c) for c, _tone in CHANNELS), daily.total
    )
    return chart, rows, total


def _week_of(field: str, week: dashboard.Week) -> str:
    return _queue(
        view="all",
        **{
            f"{field}_from": week.starts_on.isoformat(),
            f"{field}_to": week.ends_on.isoformat(),
        },
    )


def _weekly(figures: dashboard.Dashboard) -> tuple[Chart, Chart]:
    labels = [_day(week.starts_on) for week in figures.weeks]
    weeks = figures.weeks
    replied = _("First response within target")
    median = bar_chart(
        chart_id="chart-first-response",
        title=_("Median first response per week, support hours"),
        description=_(
            "The median support time from filing to the first reply, for the "
            "replies sent in each week (by its Monday)."
        ),
        labels=labels,
        series=[
            Series(
                _("Median first response"),
                tuple(
                    None
                    if week.first_responses.median_seconds is None
                    else week.first_responses.median_seconds / 3600
                    for week in figures.weeks
                ),
                "brand",
            )
        ],
        format_value=_hours,
        integer=False,
        legend=False,
        links=lambda i, _series: _week_of("replied", weeks[i]),
    )
    compliance = line_chart(
        chart_id="chart-sla",
        title=_("SLA compliance per week"),
        description=_(
            "The share of first replies sent in each week that came within the "
            "first-response target, and of tickets solved in it within the "
            "resolution target."
        ),
        labels=labels,
        series=[
            Series(
                replied,
                tuple(
                    week.first_responses.compliance.percent for week in figures.weeks
                ),
                "brand",
            ),
            Series(
                _("Solved within target"),
                tuple(week.solved.percent for week in figures.weeks),
                "ok",
            ),
        ],
        format_value=_percent,
        maximum=100,
        # The first replies of the week, or the tickets solved in it.
        links=lambda i, series: _week_of(
            "replied" if series.label == replied else "solved", weeks[i]
        ),
    )
    return median, compliance


def _ratings(figures: dashboard.Dashboard) -> tuple[Chart, list[Row]]:
    ratings = figures.ratings
    scores = dashboard.SCORES
    chart = bar_chart(
        chart_id="chart-ratings",
        title=_("Satisfaction ratings, last %(days)s days") % {"days": dashboard.DAYS},
        description=_("How many tickets were rated 1 to 5 (5 is best)."),
        labels=[str(score) for score in scores],
        series=[
            Series(
                _("Score %(score)s") % {"score": score},
                tuple(
                    ratings.recent[score] if other == score else 0 for other in scores
                ),
                SCORE_TONES[score],
            )
            for score in scores
        ],
        legend=False,
        links=lambda i, _series: _queue(
            view="all",
            rating=str(scores[i]),
            rated_from=figures.daily.days[0].isoformat(),
        ),
    )
    rows = [
        Row(str(score), (ratings.recent[score], ratings.all_time[score]), 0)
        for score in reversed(scores)
    ]
    return chart, rows


@require_safe
@staff_required
@permission_required("tickets.view_dashboard", raise_exception=True)
@reads_from_replica
def dashboard_page(request: HttpRequest) -> HttpResponse:
    figures = dashboard.figures(now())
    open_chart, open_rows, open_total = _open_tickets(figures)
    daily_chart, daily_rows, daily_total = _daily(figures)
    median_chart, compliance_chart = _weekly(figures)
    ratings_chart, rating_rows = _ratings(figures)
    return render(
        request,
        "tickets/staff_dashboard.html",
        {
            "figures": figures,
            "days": dashboard.DAYS,
            "priorities": [Ticket.Priority(p).label for p, _tone in PRIORITIES],
            "channels": [Ticket.Channel(c).label for c, _tone in CHANNELS],
            "open_chart": open_chart,
            "open_rows": open_rows,
            "open_total": open_total,
            "daily_chart": daily_chart,
            "daily_rows": daily_rows,
            "daily_total": daily_total,
            "week_rows": _week_rows(figures),
            "median_chart": median_chart,
            "compliance_chart": compliance_chart,
            "ratings_chart": ratings_chart,
            "rating_rows": rating_rows,
        },
    )
