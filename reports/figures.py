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
from django.utils.translation import gettext_lazy as _

from accounts.models import Licence, Organisation, User
from tickets.dashboard.figures import Median, median_in_python, start_of
from tickets.models import SatisfactionRating, SupportGroup, Ticket

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
    # The queue's parameter and the value it takes for a key; None: the
    # queue cannot filter by this value.
    queue_filter: Callable[[object, str], tuple[str, str] | None]


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


def _by_id(parameter: str) -> Callable[[object, str], tuple[str, str] | None]:
    # The queue's "nobody"/"none" choice lists the tickets without one.
    return lambda key, name: (parameter, NONE if key is None else str(key))


def _by_name(parameter: str) -> Callable[[object, str], tuple[str, str] | None]:
    return lambda key, name: None if key is None else (parameter, name)


def _organisation_filter(key, name: str) -> tuple[str, str] | None:
    # Its tax id is unique; its name may be a part of another's.
    if key is None:
        return None
    tax_id = Organisation.objects.filter(pk=key).values_list("tax_id", flat=True)
    return ("organisation", tax_id.first() or name)


DIMENSIONS: dict[str, Dimension] = {
    "agent": Dimension(
        _("Agent"), "assignee", _names_of(User, "full_name"), _by_id("assignee")
    ),
    "group": Dimension(
        _("Group"), "group", _names_of(SupportGroup, "name"), _by_id("group")
    ),
    "organisation": Dimension(
        _("Organisation"),
        "organisation",
        _names_of(Organisation, "name"),
        _organisation_filter,
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
        lambda key, name: ("category", key),
    ),
    "channel": Dimension(
        _("Channel"),
        "channel",
        _choices(Ticket.Channel.choices),
        lambda key, name: ("channel", key),
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
    rated: int = 0
    score_total: int = 0

    @property
    def first_response_share(self) -> float | None:
        return _share(self.first_response_met, self.first_response_judged)

    @property
    def resolution_share(self) -> float | None:
        return _share(self.resolution_met, self.resolution_judged)

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
        sums["first_response_median"] = Median("first_response_support_seconds")
    if keys:
        rows = {row.pop(group_by): row for row in grouped.annotate(**sums).order_by()}
    else:
        rows = {None: grouped.aggregate(**sums)}
    if not postgres:
        # SQLite (`make run`): the demo's few tickets, their medians here.
        seconds: dict[object, list] = defaultdict(list)
        for key, value in tickets.values_list(
            group_by or "pk", "first_response_support_seconds"
        ):
            seconds[key if group_by else None].append(value)
        for key, row in rows.items():
            row["first_response_median"] = median_in_python(seconds[key])
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


def report(period: Period, dimension: str) -> Report:
    """The period's tickets by the dimension (a key of `DIMENSIONS`), the
    busiest first, beside the period before; and both periods' totals."""
    chosen = DIMENSIONS[dimension]
    now = figures_by(period, chosen.field)
    before = figures_by(period.previous(), chosen.field)
    names = chosen.names(now.keys())
    none = str(_("(none)"))
    rows = []
    for key, figures in sorted(
        now.items(), key=lambda item: (-item[1].tickets, str(item[0]))
    ):
        name = str(names.get(key, key)) if key is not None else none
        wanted = chosen.queue_filter(key, name)
        rows.append(
            Row(
                key=key,
                name=name,
                now=figures,
                before=before.get(key, Figures()),
                queue=(*_period_filter(period), wanted) if wanted else None,
            )
        )
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
