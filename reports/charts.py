"""The report page's charts: tickets filed and solved, and the backlog, over
the period, each bar opening the queue at the tickets filed then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.figures import Day, Period
from tickets.dashboard.charts import (
    WIDE,
    Chart,
    Series,
    bar_chart,
    line_chart,
    queue_url,
)

# A longer period is drawn a week to a bar, so that bars stay wide enough
# to see and to click.
DAYS_DRAWN = 62


@dataclass(frozen=True, slots=True)
class Span:
    """The days one bar stands for."""

    first: dt.date
    last: dt.date
    filed: int
    backlog: int  # at the end of its last day

    @property
    def label(self) -> str:
        return date_format(self.first, "d.m")


def spans(days: Sequence[Day]) -> list[Span]:
    """A bar per day, or per seven days from the first for a long period."""
    size = 1 if len(days) <= DAYS_DRAWN else 7
    out = []
    for start in range(0, len(days), size):
        chunk = days[start : start + size]
        out.append(
            Span(
                chunk[0].date,
                chunk[-1].date,
                sum(day.filed for day in chunk),
                chunk[-1].backlog,
            )
        )
    return out


def _queue(row: tuple[str, str] | None, **filters: str) -> str:
    """The queue's "All" view with these filters, and the row's if any."""
    return queue_url([("view", "all"), *filters.items(), *([row] if row else [])])


def charts(
    period: Period,
    days: Sequence[Day],
    *,
    row: tuple[str, str] | None = None,
    linked: bool = True,
) -> list[tuple[str, Chart]]:
    """Tickets filed per day (or week); the backlog at each end; each with
    its heading, each bar and point opening its tickets in the queue (with
    `row`, the queue's filter of the one row the days are of; not `linked`
    when the queue cannot list that row's tickets)."""
    drawn = spans(days)
    labels = [span.label for span in drawn]
    weekly = len(drawn) < len(days)
    filed = sum(span.filed for span in drawn)
    bounds = {
        "first": date_format(period.first, "d.m.Y"),
        "last": date_format(period.last, "d.m.Y"),
    }
    flow_title = _("Tickets filed per week") if weekly else _("Tickets filed per day")
    backlog_title = (
        _("Unsolved tickets at the end of each week")
        if weekly
        else _("Unsolved tickets at the end of each day")
    )
    flow = bar_chart(
        chart_id="chart-flow",
        title=flow_title,
        description=ngettext(
            "%(count)s ticket filed from %(first)s to %(last)s; each bar opens "
            "its tickets in the queue.",
            "%(count)s tickets filed from %(first)s to %(last)s; each bar opens "
            "its tickets in the queue.",
            filed,
        )
        % {"count": filed, **bounds},
        labels=labels,
        series=[Series(_("Filed"), tuple(span.filed for span in drawn), "brand")],
        legend=False,
        totals=len(drawn) <= 31,
        width=WIDE,
        links=(
            lambda i, _series: _queue(
                row,
                created_from=drawn[i].first.isoformat(),
                created_to=drawn[i].last.isoformat(),
            )
        )
        if linked
        else None,
    )
    backlog = line_chart(
        chart_id="chart-backlog",
        title=backlog_title,
        description=_(
            "The backlog from %(first)s to %(last)s, as it was then: a ticket "
            "solved and later reopened left it and came back. Each point opens "
            "its tickets in the queue."
        )
        % bounds,
        labels=labels,
        series=[Series(_("Unsolved"), tuple(span.backlog for span in drawn), "warn")],
        integer=True,
        width=WIDE,
        links=(lambda i, _series: _queue(row, unsolved_on=drawn[i].last.isoformat()))
        if linked
        else None,
    )
    return [(flow_title, flow), (backlog_title, backlog)]
