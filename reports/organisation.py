"""A customer's figures, for the manager of its organisation: the tickets
filed per licence and Moscow month, each month's first replies and
solutions, and the tickets open now.

Always one organisation's, given by its id: the caller takes it from the
manager's own membership (reports/organisation_views.py), never from the
request, so no other organisation's ticket is ever counted.

A month's figures are about the tickets filed in it, as the supervisors'
reports' are (reports/figures.py): a late reply or solution counts in the
month its ticket was filed in. The stored SLA facts make each table one
GROUP BY over a range of the index `ticket_org_newest` (organisation,
created_at), whatever the number of tickets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth

from accounts.models import Licence
from reports.figures import Figures
from schedule.hours import MOSCOW
from tickets.dashboard.figures import Median, median_in_python, start_of
from tickets.models import Ticket

# The months a page covers by default, and at most: longer would read too
# many tickets of a big customer for one page.
DEFAULT_MONTHS = 12
LONGEST_MONTHS = 24


def month_of(day: dt.date) -> dt.date:
    """The first day of the day's month."""
    return day.replace(day=1)


def months_after(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months after (before, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Months:
    """Whole Moscow months, both ends included, each named by its first day."""

    first: dt.date
    last: dt.date

    @classmethod
    def before(cls, today: dt.date, *, count: int = DEFAULT_MONTHS) -> Months:
        """The last `count` whole months: those before today's."""
        last = months_after(month_of(today), -1)
        return cls(months_after(last, 1 - count), last)

    @property
    def count(self) -> int:
        return (
            (self.last.year - self.first.year) * 12
            + (self.last.month - self.first.month)
            + 1
        )

    @property
    def starts(self) -> tuple[dt.date, ...]:
        """Each month's first day, the oldest first."""
        return tuple(months_after(self.first, n) for n in range(self.count))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Their start and the start of the month after them (Moscow time)."""
        return start_of(self.first), start_of(months_after(self.last, 1))


@dataclass(frozen=True, slots=True)
class LicenceRow:
    """A licence's tickets filed in each month of the range."""

    licence_id: int
    number: str
    product: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class OpenCount:
    """Open tickets of a status or a licence, and the customer's ticket
    list's parameters that list exactly them (None: the list cannot)."""

    key: str | int
    name: str
    count: int
    list_filter: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True, slots=True)
class OrganisationFigures:
    months: Months
    licences: tuple[LicenceRow, ...]
    # The months' figures, in the order of `months.starts`, and the range's.
    by_month: tuple[Figures, ...]
    whole: Figures
    open_by_status: tuple[OpenCount, ...]
    open_by_licence: tuple[OpenCount, ...]

    @property
    def open_total(self) -> int:
        return sum(row.count for row in self.open_by_status)

    @property
    def open_filter(self) -> tuple[tuple[str, str], ...]:
        return (("status", "open"),)


def _aggregates() -> dict:
    sums = {
        "tickets": Count("pk"),
        "solved": Count("resolved_at"),
        "first_response_judged": Count("first_response_met"),
        "first_response_met": Count("pk", filter=Q(first_response_met=True)),
    }
    if connection.vendor == "postgresql":
        sums["first_response_median"] = Median("first_response_support_seconds")
    return sums


def _month() -> TruncMonth:
    return TruncMonth("created_at", tzinfo=MOSCOW, output_field=DateField())


def organisation_figures(organisation_id: int, months: Months) -> OrganisationFigures:
    """The organisation's figures over the months, and its open tickets now.

    Five queries (six on SQLite, which reads the medians' values):
    1. tickets filed per licence and month;
    2. per month: filed, solved, first replies judged and met, the median;
    3. the same over the whole range (a median is not a sum of months');
    4. open tickets per status and licence;
    5. the numbers of the licences met in 1 and 4.
    """
    start, end = months.bounds()
    tickets = Ticket.objects.filter(
        organisation_id=organisation_id, created_at__gte=start, created_at__lt=end
    ).order_by()
    starts = months.starts

    filed: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for row in (
        tickets.values("licence_id", month=_month())
        .annotate(tickets=Count("pk"))
        .order_by()
    ):
        filed[row["licence_id"]][row["month"]] = row["tickets"]

    monthly = {
        row.pop("month"): row
        for row in tickets.values(month=_month()).annotate(**_aggregates()).order_by()
    }
    whole = tickets.aggregate(**_aggregates())
    if connection.vendor != "postgresql":
        # SQLite (`make run`): the demo's few tickets, their medians here.
        seconds: dict[dt.date, list] = defaultdict(list)
        for month, value in tickets.values_list(
            _month(), "first_response_support_seconds"
        ):
            seconds[month].append(value)
        for month, row in monthly.items():
            row["first_response_median"] = median_in_python(seconds[month])
        whole["first_response_median"] = median_in_python(
            value for values in seconds.values() for value in values
        )

    open_counts = list(
        Ticket.objects.filter(organisation_id=organisation_id)
        .open()
        .values_list("status", "licence_id")
        .annotate(tickets=Count("pk"))
        .order_by()
    )

    wanted = set(filed) | {licence_id for _status, licence_id, _n in open_counts}
    names = {
        licence.pk: licence
        for licence in Licence.objects.filter(pk__in=wanted).only("number", "product")
    }
    licences = tuple(
        sorted(
            (
                LicenceRow(
                    licence_id=licence_id,
                    number=names[licence_id].number,
                    product=names[licence_id].product,
                    counts=tuple(counts.get(month, 0) for month in starts),
                )
                for licence_id, counts in filed.items()
            ),
            key=lambda row: row.number,
        )
    )
    return OrganisationFigures(
        months=months,
        licences=licences,
        by_month=tuple(Figures(**monthly.get(month, {})) for month in starts),
        whole=Figures(**whole),
        open_by_status=_open_by_status(open_counts),
        open_by_licence=_open_by_licence(open_counts, names),
    )


def _open_by_status(counts: list[tuple[str, int, int]]) -> tuple[OpenCount, ...]:
    by_status: dict[str, int] = defaultdict(int)
    for status, _licence_id, count in counts:
        by_status[status] += count
    labels = dict(Ticket.Status.choices)
    # In the workflow's order, each listed by the portal's status filter.
    return tuple(
        OpenCount(
            key=status,
            name=str(labels[status]),
            count=by_status[status],
            list_filter=(("status", status),),
        )
        for status in Ticket.OPEN_STATUSES
        if by_status.get(status)
    )


def _open_by_licence(
    counts: list[tuple[str, int, int]], names: dict[int, Licence]
) -> tuple[OpenCount, ...]:
    by_licence: dict[int, int] = defaultdict(int)
    for _status, licence_id, count in counts:
        by_licence[licence_id] += count
    # The portal's list has no licence filter (its search would also find
    # the tickets that merely mention the number): no link.
    return tuple(
        sorted(
            (
                OpenCount(key=licence_id, name=names[licence_id].number, count=count)
                for licence_id, count in by_licence.items()
            ),
            key=lambda row: (-row.count, row.name),
        )
    )
