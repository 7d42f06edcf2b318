"""Supervisors' reports: the tickets filed in a period of Moscow days,
grouped by one of their dimensions, each figure beside the period before.

Every figure of a row is about the same tickets, those filed in the period
with the row's value: how many, how many are solved, the median support time
to the first reply, how often the first reply and the solution met their
targets, and the satisfaction ratings of the answered ones
(`SatisfactionRating.objects.counted`). So a row links to exactly its
tickets in the queue (`Dimension.queue_filter`), and a late solution counts
in the period its ticket was filed in, whatever the period it came in.

The stored SLA facts (`Ticket.first_response_support_seconds`,
`first_response_met`, `resolution_met`, written by `tickets.services.
refresh_sla`) make each period one GROUP BY, without replaying histories.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from accounts.models import Licence, Organisation, User
from schedule.hours import MOSCOW
from tickets.dashboard.figures import Median, median_in_python, start_of
from tickets.models import SatisfactionRating, SupportGroup, Ticket, TicketEvent
from tickets.models.ticket import TicketEventQuerySet

# The longest period a report covers: the figures of a longer one would
# read too many tickets for a page (bench/README.md, issue 24).
LONGEST = dt.timedelta(days=732)
NONE = "none"


@dataclass(frozen=True, slots=True)
class Period:
    """Whole Moscow days, both ends included."""

    first: dt.date
    last: dt.date

    @classmethod
    def ending(cls, last: dt.date, *, days: int) -> Period:
        return cls(last - dt.timedelta(days=days - 1), last)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of as many days just before this one."""
        return Period.ending(self.first - dt.timedelta(days=1), days=self.days)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Its start and the start of the day after it."""
        return start_of(self.first), start_of(self.last + dt.timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Dimension:
    """What the tickets are grouped by: the value read (`field`), its name
    on the page, and the queue's filter that lists the tickets of a value."""

    label: str
    field: str
    names: Callable[[Iterable], dict]
    # For each key (with its name), the queue's parameter and the value it
    # takes; None where the queue cannot filter by this value.
    queue_filters: Callable[[dict], dict[object, tuple[str, str] | None]]


def _names_of(model, attribute: str) -> Callable[[Iterable], dict]:
    def names(keys: Iterable) -> dict:
        return dict(
            model.objects.filter(pk__in=[k for k in keys if k is not None])
            .values_list("pk", attribute)
            .order_by()
        )

    return names


def _choices(choices) -> Callable[[Iterable], dict]:
    return lambda keys: {key: dict(choices).get(key, key) for key in keys}


def _each(
    queue_filter: Callable[[object, str], tuple[str, str] | None],
) -> Callable[[dict], dict[object, tuple[str, str] | None]]:
    return lambda names: {key: queue_filter(key, name) for key, name in names.items()}


def _by_id(parameter: str) -> Callable[[dict], dict]:
    # The queue's "nobody"/"none" choice lists the tickets without one.
    return _each(lambda key, name: (parameter, NONE if key is None else str(key)))


def _by_name(parameter: str) -> Callable[[dict], dict]:
    return _each(lambda key, name: None if key is None else (parameter, name))


def _by_tax_id(names: dict) -> dict[object, tuple[str, str] | None]:
    # An organisation's tax id is unique; its name may be a part of another's.
    tax_ids = dict(
        Organisation.objects.filter(pk__in=[key for key in names if key is not None])
        .values_list("pk", "tax_id")
        .order_by()
    )
    return {
        key: None if key is None else ("organisation", tax_ids.get(key) or name)
        for key, name in names.items()
    }


DIMENSIONS: dict[str, Dimension] = {
    "agent": Dimension(
        _("Agent"), "assignee", _names_of(User, "full_name"), _by_id("assignee")
    ),
    "group": Dimension(
        _("Group"), "group", _names_of(SupportGroup, "name"), _by_id("group")
    ),
    "organisation": Dimension(
        _("Organisation"), "organisation", _names_of(Organisation, "name"), _by_tax_id
    ),
    "licence": Dimension(
        _("Licence"), "licence", _names_of(Licence, "number"), _by_name("licence")
    ),
    "product": Dimension(
        _("Product"),
        "licence__product",
        lambda keys: {key: key for key in keys},
        _by_name("product"),
    ),
    "category": Dimension(
        _("Category"),
        "category",
        _choices(Ticket.Category.choices),
        _each(lambda key, name: ("category", key)),
    ),
    "channel": Dimension(
        _("Channel"),
        "channel",
        _choices(Ticket.Channel.choices),
        _each(lambda key, name: ("channel", key)),
    ),
}


@dataclass(frozen=True, slots=True)
class Figures:
    """What a row says of its tickets."""

    tickets: int = 0
    solved: int = 0
    # Support seconds from filing to the first reply, the middle value.
    first_response_median: float | None = None
    first_response_judged: int = 0
    first_response_met: int = 0
    resolution_judged: int = 0
    resolution_met: int = 0
    # Support seconds from filing to the solution, pauses left out.
    resolution_median: float | None = None
    # Support's public replies to these tickets.
    replies: int = 0
    rated: int = 0
    score_total: int = 0

    @property
    def first_response_share(self) -> float | None:
        return _share(self.first_response_met, self.first_response_judged)

    @property
    def resolution_share(self) -> float | None:
        return _share(self.resolution_met, self.resolution_judged)

    @property
    def replies_per_ticket(self) -> float | None:
        return self.replies / self.tickets if self.tickets else None

    @property
    def score(self) -> float | None:
        return self.score_total / self.rated if self.rated else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class Row:
    key: object
    name: str
    now: Figures
    before: Figures
    # The queue's parameters that list this row's tickets of the period.
    queue: tuple[tuple[str, str], ...] | None


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    dimension: str
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None


# Each median of `Figures` and the ticket's field it is the middle value of.
MEDIANS = {
    "first_response_median": "first_response_support_seconds",
    "resolution_median": "resolution_support_seconds",
}


def tickets_filed(period: Period):
    start, end = period.bounds()
    return Ticket.objects.filter(created_at__gte=start, created_at__lt=end)


def _aggregates() -> dict:
    return {
        "tickets": Count("pk"),
        "solved": Count("resolved_at"),
        "first_response_judged": Count("first_response_met"),
        "first_response_met": Count("pk", filter=Q(first_response_met=True)),
        "resolution_judged": Count("resolution_met"),
        "resolution_met": Count("pk", filter=Q(resolution_met=True)),
        "replies": Coalesce(Sum("staff_replies"), 0),
    }


def tickets_by(period: Period, group_by: str) -> dict[object, Figures]:
    """Only how many tickets were filed in the period for each value of
    `group_by`: what a page compares each row with, without the medians'
    sorting."""
    return {
        row[group_by]: Figures(tickets=row["tickets"])
        for row in tickets_filed(period)
        .order_by()
        .values(group_by)
        .annotate(tickets=Count("pk"))
    }


def figures_by(period: Period, group_by: str | None) -> dict[object, Figures]:
    """The figures of the tickets filed in the period, for each value of
    `group_by` (a field path), or of all of them under the key None."""
    tickets = tickets_filed(period).order_by()
    keys = [group_by] if group_by else []
    grouped = tickets.values(*keys) if keys else tickets
    postgres = connection.vendor == "postgresql"
    sums = {**_aggregates()}
    if postgres:
        for median, seconds in MEDIANS.items():
            sums[median] = Median(seconds)
    if keys:
        rows = {row.pop(group_by): row for row in grouped.annotate(**sums).order_by()}
    else:
        rows = {None: grouped.aggregate(**sums)}
    if not postgres:
        # SQLite (`make run`): the demo's few tickets, their medians here.
        for median, field_name in MEDIANS.items():
            seconds: dict[object, list] = defaultdict(list)
            for key, value in tickets.values_list(group_by or "pk", field_name):
                seconds[key if group_by else None].append(value)
            for key, row in rows.items():
                row[median] = median_in_python(seconds[key])
    start, end = period.bounds()
    rated = SatisfactionRating.objects.counted().filter(
        ticket__created_at__gte=start, ticket__created_at__lt=end
    )
    ratings = {None: rated.aggregate(rated=Count("pk"), score_total=Sum("score"))}
    if keys:
        ratings = {
            row.pop(f"ticket__{group_by}"): row
            for row in rated.values(f"ticket__{group_by}")
            .annotate(rated=Count("pk"), score_total=Sum("score"))
            .order_by()
        }
    for key, row in rows.items():
        counts = ratings.get(key) or {}
        row["rated"] = counts.get("rated") or 0
        row["score_total"] = counts.get("score_total") or 0
    return {key: Figures(**row) for key, row in rows.items()}


def report(period: Period, dimension: str, *, rows_before: bool = True) -> Report:
    """The period's tickets by the dimension (a key of `DIMENSIONS`), the
    busiest first, beside the period before; and both periods' totals.
    Without `rows_before` a row's period before holds only its count of
    tickets (all a page shows of it)."""
    chosen = DIMENSIONS[dimension]
    now = figures_by(period, chosen.field)
    before = (figures_by if rows_before else tickets_by)(
        period.previous(), chosen.field
    )
    found = chosen.names(now.keys())
    none = str(_("(none)"))
    names = {key: none if key is None else str(found.get(key, key)) for key in now}
    wanted = chosen.queue_filters(names)
    rows = [
        Row(
            key=key,
            name=names[key],
            now=figures,
            before=before.get(key, Figures()),
            queue=(*_period_filter(period), wanted[key]) if wanted[key] else None,
        )
        for key, figures in sorted(
            now.items(), key=lambda item: (-item[1].tickets, str(item[0]))
        )
    ]
    total = Row(
        key=None,
        name=str(_("All tickets")),
        now=figures_by(period, None)[None],
        before=figures_by(period.previous(), None)[None],
        queue=_period_filter(period),
    )
    return Report(period, dimension, rows, total)


def _period_filter(period: Period) -> tuple[tuple[str, str], ...]:
    return (
        ("view", "all"),
        ("created_from", period.first.isoformat()),
        ("created_to", period.last.isoformat()),
    )


@dataclass(frozen=True, slots=True)
class Day:
    """A Moscow day of the desk: tickets filed, solved and reopened that day,
    and those left unsolved at its end (the backlog)."""

    date: dt.date
    filed: int
    solved: int
    reopened: int
    backlog: int


def _of_value(field: str, key: object, prefix: str = "") -> Q:
    return Q(
        **{f"{prefix}{field}__isnull": True}
        if key is None
        else {f"{prefix}{field}": key}
    )


def backlog(
    period: Period, *, field: str | None = None, key: object = None
) -> list[Day]:
    """Each day of the period, from the status changes as they happened: a
    ticket solved on the 3rd and reopened on the 10th left the backlog on
    the 3rd and came back on the 10th. With `field` (a dimension's field
    path), of the tickets whose value is `key` as it is now.

    Counted back from the unsolved tickets now, so that the work is
    proportional to what happened since the period began, not to the whole
    history: three queries, each read from an index alone.
    """
    start, _end = period.bounds()
    moscow_day = TruncDate("created_at", tzinfo=MOSCOW)
    tickets, events = Q(), Q()
    if field is not None:
        tickets, events = _of_value(field, key), _of_value(field, key, "ticket__")
    # Counting `created_at`, which the indexes hold, lets PostgreSQL read
    # the indexes alone (bench/README.md, issue 24).
    filed = dict(
        Ticket.objects.filter(tickets, created_at__gte=start)
        .annotate(day=moscow_day)
        .values("day")
        .annotate(count=Count("created_at"))
        .values_list("day", "count")
        .order_by()
    )
    leaves = TicketEventQuerySet.crossing(TicketEventQuerySet.LEAVES)
    returns = TicketEventQuerySet.crossing(TicketEventQuerySet.RETURNS)
    changes = {
        day: (solved, reopened)
        for day, solved, reopened in TicketEvent.objects.crossings()
        .filter(events, created_at__gte=start)
        .annotate(day=moscow_day)
        .values("day")
        .annotate(
            solved=Count("created_at", filter=leaves),
            reopened=Count("created_at", filter=returns),
        )
        .values_list("day", "solved", "reopened")
        .order_by()
    }
    unsolved = Ticket.objects.open().filter(tickets).count()
    # What the backlog was when the period began, from what it is now.
    since = sum(filed.values()) - sum(s - r for s, r in changes.values())
    left = unsolved - since
    days = []
    for offset in range(period.days):
        date = period.first + dt.timedelta(days=offset)
        solved, reopened = changes.get(date, (0, 0))
        left += filed.get(date, 0) - solved + reopened
        days.append(Day(date, filed.get(date, 0), solved, reopened, left))
    return days
