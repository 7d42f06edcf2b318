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
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts import directory
from accounts.models import (
    Licence,
    LicenceImport,
    Organisation,
    SubscriptionPeriod,
    one_year_after,
)
from accounts.validators import (
    is_licence_number,
    is_valid_tax_id,
    normalise_licence_number,
)
from audit.models import AuditEntry
from audit.services import record

logger = logging.getLogger(__name__)

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
# The model's column sizes: longer text is an invalid row, not a database error.
MAX_LENGTHS = {
    "number": 64,
    "organisation": 300,
    "product": 200,
    "edition": 200,
    "scope": 300,
}
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
    "invalid_rows": _("Invalid rows: %(count)d. Nothing was imported."),
    "too_long": _("“%(column)s” is longer than %(limit)d characters."),
    "crashed": _("The file could not be processed (%(error)s). Nothing was imported."),
}


def describe(code: str, params: dict) -> str:
    return str(MESSAGES[code]) % params


@dataclass
class Row:
    line: int
    values: dict[str, str]
    action: str = "create"  # create | change | unchanged | invalid
    errors: list[tuple[str, dict]] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)
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
    if number and not is_licence_number(number):
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
        if re.fullmatch(r"[0-9]{1,9}", raw_seats):
            row.seats = int(raw_seats)
        else:
            row.error("bad_seats", value=raw_seats)
    for column, limit in MAX_LENGTHS.items():
        if len(row.values.get(column, "")) > limit:
            row.error("too_long", column=column, limit=limit)


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
    else:
        new = _new_values(row)
        row.changes = {
            name: [_shown(getattr(licence, name)), _shown(new[name])]
            for name in UPDATABLE
            if getattr(licence, name) != new[name]
        }
        row.action = "change" if row.changes else "unchanged"


def _shown(value: object) -> str:
    return "" if value is None else str(value)


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
    """Check every row and record what importing it would do; writes no licence."""
    try:
        rows, file_error = read_rows(licence_import.content)
        if file_error is None:
            classify(rows, _reporter(licence_import, "preview", len(rows)))
    except Exception as error:  # a file no one foresaw must not leave the page polling
        logger.exception("Checking licence import %s failed", licence_import.pk)
        return _fail(licence_import, ("crashed", {"error": type(error).__name__}))
    licence_import.rows = [
        {
            "line": r.line,
            "number": r.number,
            "action": r.action,
            "errors": [list(e) for e in r.errors],
            "changes": r.changes,
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
    def __init__(self, code: str, params: dict) -> None:
        super().__init__(code)
        self.reason = (code, params)


def apply_import(licence_import: LicenceImport) -> LicenceImport:
    """Write every row or none: any invalid row, found now or at preview, stops it all."""
    try:
        rows, file_error = read_rows(licence_import.content)
        report = _reporter(licence_import, "import", len(rows))
        if file_error is not None:
            raise ImportRefused(*file_error)
        with transaction.atomic():
            classify(rows)
            invalid = [row for row in rows if row.action == "invalid"]
            if invalid:
                raise ImportRefused("invalid_rows", {"count": len(invalid)})
            write_rows(rows, report)
            record(
                AuditEntry.Action.LICENCES_IMPORTED,
                actor=licence_import.created_by,
                target=licence_import,
                **_summarise(rows),
            )
    except ImportRefused as refusal:
        return _fail(licence_import, refusal.reason)
    except Exception as error:  # rolled back; say so instead of hanging in "importing"
        logger.exception("Licence import %s failed", licence_import.pk)
        return _fail(licence_import, ("crashed", {"error": type(error).__name__}))
    licence_import.status = LicenceImport.Status.DONE
    licence_import.summary = _summarise(rows)
    licence_import.finished_at = now()
    licence_import.save(update_fields=["status", "summary", "finished_at"])
    return licence_import


def _fail(licence_import: LicenceImport, reason: tuple[str, dict]) -> LicenceImport:
    # The reason is kept as (code, params) and worded for whoever reads it.
    licence_import.status = LicenceImport.Status.FAILED
    licence_import.failure = json.dumps(reason)
    licence_import.finished_at = now()
    licence_import.save(update_fields=["status", "failure", "finished_at"])
    return licence_import


def describe_failure(licence_import: LicenceImport) -> str:
    if not licence_import.failure:
        return ""
    code, params = json.loads(licence_import.failure)
    return describe(code, params)


def write_rows(
    rows: list[Row], report: Callable[[int], None] = lambda done: None
) -> None:
    """Create the rows to create and change the rows to change."""
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
    # Written in bulk: no signal told the directory.
    directory.forget()


def _organisations_for(rows: list[Row]) -> dict[str, Organisation]:
    names = {row.values["tax_id"]: row.values.get("organisation", "") for row in rows}
    organisations = {o.tax_id: o for o in Organisation.objects.filter(tax_id__in=names)}
    missing = [
        Organisation(tax_id=t, name=names[t]) for t in names if t not in organisations
    ]
    for organisation in Organisation.objects.bulk_create(missing):
        organisations[organisation.tax_id] = organisation
    return organisations
