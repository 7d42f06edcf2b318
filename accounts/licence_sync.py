"""Licences pushed by the vendor's billing system through the API.

Each item is checked as a row of an imported file is (`licence_import`: the
same columns, the same messages), but unlike a file, which is imported whole
or not at all, every valid item is written and every invalid one reported on
its own: the billing system fixes those and sends them again. Renewals carry
the billing system's order reference and go through `renew_subscription`, so
a push sent twice adds nothing the second time.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from accounts.licence_import import BATCH, Row, classify, describe, write_rows
from accounts.models import Licence, User
from accounts.services import renew_subscription
from audit.models import AuditEntry
from audit.services import record


@dataclass(frozen=True)
class Renewal:
    reference: str
    years: int
    paid_on: datetime.date


@dataclass
class Item:
    """One licence as the billing system sends it, and what became of it."""

    values: dict[str, str]
    renewals: Sequence[Renewal] = ()
    row: Row = field(init=False)
    renewals_added: int = 0
    licence: Licence | None = None

    def __post_init__(self) -> None:
        self.row = Row(line=0, values=self.values)

    @property
    def result(self) -> str:
        return {"create": "created", "change": "changed"}.get(
            self.row.action, self.row.action
        )

    def errors(self) -> list[str]:
        return [describe(code, params) for code, params in self.row.errors]


@transaction.atomic
def sync_licences(items: Sequence[Item], *, by: User | None = None) -> Sequence[Item]:
    """Create, change or leave each licence, then add its renewals not yet
    recorded; each item's `result`, `errors` and `licence` say how it went."""
    rows = [item.row for item in items]
    for line, row in enumerate(rows, start=1):
        row.line = line
    classify(rows)
    write_rows([row for row in rows if row.action != "invalid"])
    valid = [item for item in items if item.row.action != "invalid"]
    for start in range(0, len(valid), BATCH):
        batch = valid[start : start + BATCH]
        licences = {
            licence.number: licence
            for licence in Licence.objects.with_periods()
            .select_related("organisation")
            .filter(number__in=[item.row.number for item in batch])
        }
        for item in batch:
            item.licence = licences[item.row.number]
            if item.row.action in WRITTEN:
                record(WRITTEN[item.row.action], actor=by, target=item.licence)
            _renew(item, by=by)
    return items


# Each licence the push wrote, as the audit log names it.
WRITTEN = {
    "create": AuditEntry.Action.LICENCE_CREATED,
    "change": AuditEntry.Action.LICENCE_CHANGED,
}


def _renew(item: Item, *, by: User | None) -> None:
    if not item.renewals:
        return
    licence = item.licence
    known = {period.reference for period in licence.subscription_periods.all()}
    for renewal in sorted(item.renewals, key=lambda r: (r.paid_on, r.reference)):
        if renewal.reference in known:
            continue
        renew_subscription(
            licence,
            years=renewal.years,
            on=renewal.paid_on,
            reference=renewal.reference,
            by=by,
        )
        known.add(renewal.reference)
        item.renewals_added += 1
    if item.renewals_added:
        # Read again: the periods the renewals added.
        item.licence = Licence.objects.with_periods().get(pk=licence.pk)
