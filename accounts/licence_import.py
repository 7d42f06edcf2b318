"""Importing licences from CSV: a preview row by row, then an all-or-nothing import.

Columns (a header row is required; comma or semicolon separated, UTF-8 or
Windows-1251): number, tax_id, organisation, product, edition, purchased_on,
seats, scope. `organisation` is needed only when the tax id is new; the dates
are YYYY-MM-DD or DD.MM.YYYY.

Importing the same file twice changes nothing: a row whose licence already
exists with the same values is "unchanged".
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Licence,
    LicenceImport,
    Organisation,
    SubscriptionPeriod,
    one_year_after,
)
from accounts.validators import is_valid_tax_id, normalise_licence_number

COLUMNS = [
    "number",
    "tax_id",
    "organisation",
    "product",
    "edition",
    "purchased_on",
    "seats",
    "scope",
]
REQUIRED = ["number", "tax_id", "product", "purchased_on"]
UPDATABLE = ["product", "edition", "seats", "scope"]
BATCH = 500

# Errors are stored as (code, params) and worded when shown, in the reader's language.
MESSAGES = {
    "missing": _("“%(column)s” is empty."),
    "bad_number": _(
        "“%(value)s” is not a licence number (they look like %(example)s)."
    ),
    "bad_tax_id": _("“%(value)s” is not a valid tax id (INN)."),
    "bad_date": _("“%(value)s” is not a date; write 2026-03-10 or 10.03.2026."),
    "bad_seats": _("“%(value)s” is not a whole number of seats."),
    "duplicate": _("Licence %(number)s is already on line %(line)s of this file."),
    "other_organisation": _(
        "Licence %(number)s belongs to another organisation (tax id %(tax_id)s)."
    ),
    "purchase_date_changed": _(
        "Licence %(number)s was bought on %(date)s; an import cannot change that."
    ),
    "organisation_name_missing": _(
        "Tax id %(tax_id)s is not known yet: give the organisation's name to create it."
    ),
    "no_header": _("The first line must name the columns: %(columns)s."),
    "invalid_rows": _("%(count)d rows are invalid; nothing was imported."),
}


def describe(code: str, params: dict) -> str:
    return str(MESSAGES[code]) % params


@dataclass
class Row:
    line: int
    values: dict[str, str]
    action: str = "create"  # create | change | unchanged | invalid
    errors: list[tuple[str, dict]] = field(default_factory=list)
    purchased_on: datetime.date | None = None
    seats: int | None = None

    @property
    def number(self) -> str:
        return normalise_licence_number(self.values.get("number", ""))

    def error(self, code: str, **params: object) -> None:
        self.errors.append((code, params))
        self.action = "invalid"


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _parse_date(value: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()  # noqa: DTZ007 a calendar date
        except ValueError:
            continue
    return None


def read_rows(text: str) -> tuple[list[Row], tuple[str, dict] | None]:
    """Split the file into rows; a file without the header row is one error."""
    lines = text.splitlines()
    if not lines:
        return [], ("no_header", {"columns": ", ".join(COLUMNS)})
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if not set(REQUIRED) <= set(header):
        return [], ("no_header", {"columns": ", ".join(COLUMNS)})
    reader.fieldnames = header
    rows = []
    for values in reader:
        clean = {k: (v or "").strip() for k, v in values.items() if k in COLUMNS}
        if any(clean.values()):
            rows.append(Row(line=reader.line_num, values=clean))
    return rows, None


def _check_fields(row: Row) -> None:
    for column in REQUIRED:
        if not row.values.get(column):
            row.error("missing", column=column)
    number = row.number
    if number and not re.fullmatch(settings.LICENCE_NUMBER_REGEX, number):
        row.error("bad_number", value=number, example=settings.LICENCE_NUMBER_EXAMPLE)
    tax_id = row.values.get("tax_id", "")
    if tax_id and not is_valid_tax_id(tax_id):
        row.error("bad_tax_id", value=tax_id)
    raw_date = row.values.get("purchased_on", "")
    if raw_date:
        row.purchased_on = _parse_date(raw_date)
        if row.purchased_on is None:
            row.error("bad_date", value=raw_date)
    raw_seats = row.values.get("seats", "")
    if raw_seats:
        if raw_seats.isdigit():
            row.seats = int(raw_seats)
        else:
            row.error("bad_seats", value=raw_seats)


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def classify(
    rows: list[Row], progress: Callable[[int], None] = lambda done: None
) -> None:
    """Decide for each row whether it creates, changes or leaves a licence, or is invalid."""
    first_line: dict[str, int] = {}
    for row in rows:
        _check_fields(row)
        if row.number in first_line:
            row.error("duplicate", number=row.number, line=first_line[row.number])
        elif row.number:
            first_line[row.number] = row.line
    tax_ids = {row.values["tax_id"] for row in rows if row.values.get("tax_id")}
    known_tax_ids = set(
        Organisation.objects.filter(tax_id__in=tax_ids).values_list("tax_id", flat=True)
    )
    done = 0
    for batch in _chunks(rows):
        existing = {
            licence.number: licence
            for licence in Licence.objects.select_related("organisation").filter(
                number__in=[row.number for row in batch]
            )
        }
        for row in batch:
            if row.action != "invalid":
                _compare(row, existing.get(row.number), known_tax_ids)
        done += len(batch)
        progress(done)


def _compare(row: Row, licence: Licence | None, known_tax_ids: set[str]) -> None:
    tax_id = row.values["tax_id"]
    if licence is None:
        if tax_id not in known_tax_ids and not row.values.get("organisation"):
            row.error("organisation_name_missing", tax_id=tax_id)
        return
    if licence.organisation.tax_id != tax_id:
        row.error(
            "other_organisation", number=row.number, tax_id=licence.organisation.tax_id
        )
    elif licence.purchased_on != row.purchased_on:
        row.error(
            "purchase_date_changed",
            number=row.number,
            date=licence.purchased_on.strftime("%d.%m.%Y"),
        )
    elif _new_values(row) == {name: getattr(licence, name) for name in UPDATABLE}:
        row.action = "unchanged"
    else:
        row.action = "change"


def _new_values(row: Row) -> dict[str, object]:
    return {
        "product": row.values["product"],
        "edition": row.values.get("edition", ""),
        "seats": row.seats,
        "scope": row.values.get("scope", ""),
    }


def progress_key(licence_import: LicenceImport) -> str:
    return f"licence-import:{licence_import.code}:progress"


def _reporter(
    licence_import: LicenceImport, phase: str, total: int
) -> Callable[[int], None]:
    # Progress goes to the cache, not the database: the import writes inside one
    # transaction, which nobody else can see until it commits.
    def report(done: int) -> None:
        cache.set(
            progress_key(licence_import),
            {"phase": phase, "done": done, "total": total},
            3600,
        )

    report(0)
    return report


def _summarise(rows: list[Row]) -> dict[str, int]:
    summary = {"create": 0, "change": 0, "unchanged": 0, "invalid": 0}
    for row in rows:
        summary[row.action] += 1
    return summary


def preview_import(licence_import: LicenceImport) -> LicenceImport:
    rows, file_error = read_rows(licence_import.content)
    if file_error is None:
        classify(rows, _reporter(licence_import, "preview", len(rows)))
    licence_import.rows = [
        {
            "line": r.line,
            "number": r.number,
            "action": r.action,
            "errors": [list(e) for e in r.errors],
        }
        for r in rows
    ]
    licence_import.summary = _summarise(rows)
    if file_error is not None:
        licence_import.summary["invalid"] = 1
        licence_import.rows = [
            {"line": 1, "number": "", "action": "invalid", "errors": [list(file_error)]}
        ]
    licence_import.status = LicenceImport.Status.PREVIEWED
    licence_import.save(update_fields=["rows", "summary", "status"])
    return licence_import


class ImportRefused(Exception):
    pass


def apply_import(licence_import: LicenceImport) -> LicenceImport:
    """Write every row or none: any invalid row, found now or at preview, stops it all."""
    rows, file_error = read_rows(licence_import.content)
    report = _reporter(licence_import, "import", len(rows))
    try:
        if file_error is not None:
            raise ImportRefused(describe(*file_error))
        with transaction.atomic():
            classify(rows)
            invalid = [row for row in rows if row.action == "invalid"]
            if invalid:
                raise ImportRefused(describe("invalid_rows", {"count": len(invalid)}))
            _write(rows, report)
    except ImportRefused as refusal:
        licence_import.status = LicenceImport.Status.FAILED
        licence_import.failure = str(refusal)
    else:
        licence_import.status = LicenceImport.Status.DONE
        licence_import.summary = _summarise(rows)
    licence_import.finished_at = now()
    licence_import.save(update_fields=["status", "failure", "summary", "finished_at"])
    return licence_import


def _write(rows: list[Row], report: Callable[[int], None]) -> None:
    organisations = _organisations_for(rows)
    done = 0
    for batch in _chunks(rows):
        new = [row for row in batch if row.action == "create"]
        created = Licence.objects.bulk_create(
            [
                Licence(
                    number=row.number,
                    organisation=organisations[row.values["tax_id"]],
                    purchased_on=row.purchased_on,
                    **_new_values(row),
                )
                for row in new
            ]
        )
        SubscriptionPeriod.objects.bulk_create(
            [
                SubscriptionPeriod(
                    licence=licence,
                    kind=SubscriptionPeriod.Kind.INCLUDED,
                    starts_on=licence.purchased_on,
                    ends_on=one_year_after(licence.purchased_on),
                )
                for licence in created
            ]
        )
        for row in batch:
            if row.action == "change":
                Licence.objects.filter(number=row.number).update(
                    **_new_values(row), updated_at=now()
                )
        done += len(batch)
        report(done)


def _organisations_for(rows: list[Row]) -> dict[str, Organisation]:
    names = {row.values["tax_id"]: row.values.get("organisation", "") for row in rows}
    organisations = {o.tax_id: o for o in Organisation.objects.filter(tax_id__in=names)}
    missing = [
        Organisation(tax_id=t, name=names[t]) for t in names if t not in organisations
    ]
    for organisation in Organisation.objects.bulk_create(missing):
        organisations[organisation.tax_id] = organisation
    return organisations
