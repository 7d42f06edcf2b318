"""The supervisor dashboard's figures: exact aggregates, kept at most a minute old.

Each figure is one GROUP BY whose cost does not grow with the number of
tickets ever filed: the open tickets come from a partial index of unsolved
rows, the days and weeks from indexes on `created_at`, `first_response_at` and
`resolved_at` restricted to the last 30 days or 12 weeks (`Ticket.Meta.indexes`);
only the all-time ratings read every rating. What would need a replay of every
ticket's history (support time until the first reply, whether a target was
met) is stored on the ticket by `tickets.services.refresh_sla` whenever its
SLA clock changes.

With a million tickets these queries still read hundreds of thousands of
index entries, too slow for every page view (bench/README.md). So `build()`
runs once a minute (the beat task `tickets.dashboard.figures.refresh_dashboard`,
reading the replica if there is one: helpdesk/db_router.py) and its result is
kept in the shared cache; a page shows that snapshot, stating its time, with
the open tickets counted afresh (one index-only query). Each
snapshot is exact as of its time; none is used once older than `MAX_AGE`: the
page then computes the figures itself (no worker, a cold cache, `make run`).

The figures cover every ticket: only staff who may see them all
(`tickets.view_dashboard`) get here. Days and weeks (Monday to Sunday) are
Moscow days, the support desk's.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from celery import shared_task
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q
from django.db.models.functions import TruncDate, TruncWeek
from django.utils.timezone import now

from helpdesk.db_router import reading_from_replica
from schedule.hours import MOSCOW
from tickets.models import SatisfactionRating, Ticket

logger = logging.getLogger(__name__)

DAYS = 30
WEEKS = 12
# The most used tags the dashboard lists.
TAGS = 15
SCORES = (1, 2, 3, 4, 5)
CACHE_KEY = "tickets:dashboard"
# The beat task refreshes the snapshot every minute; one older than this means
# it is not running, and the page computes the figures itself.
MAX_AGE = dt.timedelta(minutes=2)


class Median(Aggregate):
    """PostgreSQL's exact median; other databases take `_median_in_python`."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True, slots=True)
class OpenTickets:
    """Unsolved tickets now, by status and priority."""

    counts: dict[tuple[str, str], int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str, priority: str) -> int:
        return self.counts.get((status, priority), 0)

    def by_status(self, status: str) -> int:
        return sum(n for (s, _p), n in self.counts.items() if s == status)

    def by_priority(self, priority: str) -> int:
        return sum(n for (_s, p), n in self.counts.items() if p == priority)


@dataclass(frozen=True, slots=True)
class DailyChannels:
    """Tickets filed per day and channel; every day of the window is present."""

    days: tuple[dt.date, ...]
    counts: dict[tuple[dt.date, str], int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, day: dt.date, channel: str) -> int:
        return self.counts.get((day, channel), 0)

    def on(self, day: dt.date) -> int:
        return sum(n for (d, _c), n in self.counts.items() if d == day)

    def by_channel(self, channel: str) -> int:
        return sum(n for (_d, c), n in self.counts.items() if c == channel)


@dataclass(frozen=True, slots=True)
class Compliance:
    """How many of some tickets met their SLA target (those without one are not judged)."""

    total: int = 0
    judged: int = 0
    met: int = 0

    @property
    def percent(self) -> float | None:
        return 100 * self.met / self.judged if self.judged else None


@dataclass(frozen=True, slots=True)
class FirstResponses:
    """First replies sent in a period: how many, their median support time, compliance."""

    compliance: Compliance = Compliance()
    median_seconds: float | None = None

    @property
    def median(self) -> dt.timedelta | None:
        if self.median_seconds is None:
            return None
        return dt.timedelta(seconds=round(self.median_seconds))


@dataclass(frozen=True, slots=True)
class Week:
    starts_on: dt.date  # a Monday
    first_responses: FirstResponses
    solved: Compliance

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=6)


@dataclass(frozen=True, slots=True)
class Ratings:
    """Satisfaction scores: counts per score over the last days and all time."""

    recent: dict[int, int]
    all_time: dict[int, int]

    @staticmethod
    def average(counts: dict[int, int]) -> float | None:
        total = sum(counts.values())
        if not total:
            return None
        return sum(score * n for score, n in counts.items()) / total

    @property
    def recent_total(self) -> int:
        return sum(self.recent.values())

    @property
    def all_time_total(self) -> int:
        return sum(self.all_time.values())

    @property
    def recent_average(self) -> float | None:
        return self.average(self.recent)

    @property
    def all_time_average(self) -> float | None:
        return self.average(self.all_time)


@dataclass(frozen=True, slots=True)
class TagCount:
    """A tag: on how many tickets filed in the last `DAYS` days, and on how
    many unsolved tickets now."""

    name: str
    filed: int
    open: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    at: dt.datetime
    open_tickets: OpenTickets
    daily: DailyChannels
    weeks: tuple[Week, ...]
    # The last `DAYS` days as a whole.
    first_responses: FirstResponses
    solved: Compliance
    ratings: Ratings
    tags: tuple[TagCount, ...]


def window_days(today: dt.date, days: int = DAYS) -> tuple[dt.date, ...]:
    """The last `days` days, today included, oldest first."""
    return tuple(today - dt.timedelta(days=n) for n in range(days - 1, -1, -1))


def window_weeks(today: dt.date, weeks: int = WEEKS) -> tuple[dt.date, ...]:
    """The Mondays of the last `weeks` weeks, this one included, oldest first."""
    monday = today - dt.timedelta(days=today.weekday())
    return tuple(monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1))


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=MOSCOW)


def median_in_python(values: Iterable[float | None]) -> float | None:
    """What PERCENTILE_CONT(0.5) gives: the middle value, or the mean of the two."""
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def figures(at: dt.datetime) -> Dashboard:
    """What the page shows: the latest snapshot, with the open tickets as of now."""
    try:
        snapshot = cache.get(CACHE_KEY)
    except Exception:
        # A cache outage must not take the page down: it is only slower.
        logger.exception("Could not read the dashboard's snapshot.")
        snapshot = None
    if not isinstance(snapshot, Dashboard) or not (
        dt.timedelta(0) <= at - snapshot.at <= MAX_AGE
    ):
        return refresh(at)
    return replace(snapshot, open_tickets=open_tickets())


def refresh(at: dt.datetime) -> Dashboard:
    """Compute every figure and keep the snapshot for the pages that follow."""
    snapshot = build(at)
    try:
        cache.set(CACHE_KEY, snapshot, timeout=None)
    except Exception:
        logger.exception("Could not store the dashboard's snapshot.")
    return snapshot


def build(at: dt.datetime) -> Dashboard:
    """Every figure of the dashboard at `at`, in eight queries whatever the data size."""
    today = at.astimezone(MOSCOW).date()
    days = window_days(today)
    mondays = window_weeks(today)
    days_since = start_of(days[0])
    weeks_since = start_of(mondays[0])
    weekly_replies = first_responses_by_week(weeks_since)
    weekly_solved = solved_by_week(weeks_since)
    return Dashboard(
        at=at,
        open_tickets=open_tickets(),
        daily=daily_channels(days),
        weeks=tuple(
            Week(
                monday,
                weekly_replies.get(monday, FirstResponses()),
                weekly_solved.get(monday, Compliance()),
            )
            for monday in mondays
        ),
        first_responses=first_responses_since(days_since),
        solved=solved_since(days_since),
        ratings=ratings(days_since),
        tags=tag_counts(days_since),
    )


def tag_counts(since: dt.datetime) -> tuple[TagCount, ...]:
    """The `TAGS` tags most used on tickets filed since `since`, then on
    unsolved ones."""
    filed = Q(ticket__created_at__gte=since)
    unsolved = Q(ticket__status__in=Ticket.OPEN_STATUSES)
    rows = (
        Ticket.tags.through.objects.filter(filed | unsolved)
        .values_list("tag__name")
        .annotate(filed=Count("pk", filter=filed), open=Count("pk", filter=unsolved))
        .order_by("-filed", "-open", "tag__name")[:TAGS]
    )
    return tuple(TagCount(name, filed, open_) for name, filed, open_ in rows)


def open_tickets() -> OpenTickets:
    rows = (
        Ticket.objects.open()
        .values_list("status", "priority")
        .annotate(n=Count("*"))
        .order_by()
    )
    return OpenTickets({(status, priority): n for status, priority, n in rows})


def daily_channels(days: tuple[dt.date, ...]) -> DailyChannels:
    rows = (
        Ticket.objects.filter(created_at__gte=start_of(days[0]))
        .annotate(day=TruncDate("created_at", tzinfo=MOSCOW))
        .values_list("day", "channel")
        .annotate(n=Count("*"))
        .order_by()
    )
    return DailyChannels(days, {(day, channel): n for day, channel, n in rows})


def _compliance(prefix: str) -> dict[str, Aggregate]:
    # Only the indexed columns, so that PostgreSQL reads the index alone.
    field = f"{prefix}_met"
    return {
        "total": Count("*"),
        "judged": Count(field),
        "met": Count(field, filter=Q(**{field: True})),
    }


def first_responses_by_week(since: dt.datetime) -> dict[dt.date, FirstResponses]:
    answered = (
        Ticket.objects.filter(first_response_at__gte=since)
        .annotate(week=TruncWeek("first_response_at", tzinfo=MOSCOW))
        .order_by()
    )
    if connection.vendor == "postgresql":
        rows = answered.values("week").annotate(
            **_compliance("first_response"),
            median=Median("first_response_support_seconds"),
        )
        return {
            row["week"].date(): FirstResponses(
                Compliance(row["total"], row["judged"], row["met"]), row["median"]
            )
            for row in rows
        }
    # Elsewhere (SQLite for `make run`) the bounded window's rows are few enough
    # to summarise here.
    by_week: dict[dt.date, list[tuple[int | None, bool | None]]] = defaultdict(list)
    for week, seconds, met in answered.values_list(
        "week", "first_response_support_seconds", "first_response_met"
    ):
        by_week[week.date()].append((seconds, met))
    return {week: _summarise_replies(rows) for week, rows in by_week.items()}


def first_responses_since(since: dt.datetime) -> FirstResponses:
    answered = Ticket.objects.filter(first_response_at__gte=since)
    if connection.vendor == "postgresql":
        row = answered.aggregate(
            **_compliance("first_response"),
            median=Median("first_response_support_seconds"),
        )
        return FirstResponses(
            Compliance(row["total"], row["judged"], row["met"]), row["median"]
        )
    return _summarise_replies(
        answered.values_list("first_response_support_seconds", "first_response_met")
    )


def _summarise_replies(
    rows: Iterable[tuple[int | None, bool | None]],
) -> FirstResponses:
    rows = list(rows)
    return FirstResponses(
        Compliance(
            total=len(rows),
            judged=sum(met is not None for _s, met in rows),
            met=sum(met is True for _s, met in rows),
        ),
        median_in_python(seconds for seconds, _met in rows),
    )


def solved_by_week(since: dt.datetime) -> dict[dt.date, Compliance]:
    rows = (
        Ticket.objects.filter(resolved_at__gte=since)
        .annotate(week=TruncWeek("resolved_at", tzinfo=MOSCOW))
        .values("week")
        .annotate(**_compliance("resolution"))
        .order_by()
    )
    return {
        row["week"].date(): Compliance(row["total"], row["judged"], row["met"])
        for row in rows
    }


def solved_since(since: dt.datetime) -> Compliance:
    row = Ticket.objects.filter(resolved_at__gte=since).aggregate(
        **_compliance("resolution")
    )
    return Compliance(row["total"], row["judged"], row["met"])


def ratings(since: dt.datetime) -> Ratings:
    rows = (
        SatisfactionRating.objects.counted()
        .values_list("score")
        .annotate(
            all_time=Count("*"),
            recent=Count("created_at", filter=Q(created_at__gte=since)),
        )
        .order_by()
    )
    recent, all_time = dict.fromkeys(SCORES, 0), dict.fromkeys(SCORES, 0)
    for score, n_all, n_recent in rows:
        all_time[score], recent[score] = n_all, n_recent
    return Ratings(recent, all_time)


@shared_task
def refresh_dashboard() -> None:
    # A replica's seconds of lag are nothing beside the snapshot's minute.
    with reading_from_replica():
        refresh(now())
