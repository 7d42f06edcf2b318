"""The report's files: its table, and its tickets one line each.

The tickets are written by the worker (`reports.tasks.write_export`) into a
temporary file as they are read, a few thousand at a time, so a year of a
million tickets takes the memory of one batch whatever the format; the
export's progress is saved after each batch for the page that waits on it.
Every cell goes through `helpdesk.csv_export.cell`, so text that a
spreadsheet would run as a formula stays text in both formats.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django import forms
from django.core.files import File
from django.http import HttpResponse
from django.utils import translation
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from helpdesk.csv_export import BYTE_ORDER_MARK, cell
from helpdesk.db_router import reading_from_replica
from reports import figures
from reports.models import Export
from tickets.models import Ticket

logger = logging.getLogger(__name__)

BATCH = 2000


# A figure's cell: a number, not text, so that a spreadsheet sums it; empty
# when there is no figure.
def percent_cell(share: float | None) -> float | str:
    return "" if share is None else round(share * 100, 1)


def ratio_cell(value: float | None) -> float | str:
    return "" if value is None else round(value, 2)


def hours_cell(seconds: float | None) -> float | str:
    return "" if seconds is None else round(seconds / 3600, 2)


def refused(form: forms.Form) -> HttpResponse:
    """The answer to an export asked for with a wrong period: what is wrong,
    as text."""
    errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("yes") if value else _("no"))


def _moment(value) -> str:
    return "" if value is None else localtime(value).strftime("%Y-%m-%d %H:%M")


def _label(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda value: str(labels.get(value, value))


def _as_is(value) -> object:
    return "" if value is None else value


# A ticket's line: each field read, its heading, and how it is written.
TICKET_COLUMNS = (
    ("reference", gettext_lazy("Reference"), _as_is),
    ("created_at", gettext_lazy("Filed"), _moment),
    ("status", gettext_lazy("Status"), _label(Ticket.Status.choices)),
    ("priority", gettext_lazy("Priority"), _label(Ticket.Priority.choices)),
    ("category", gettext_lazy("Category"), _label(Ticket.Category.choices)),
    ("channel", gettext_lazy("Channel"), _label(Ticket.Channel.choices)),
    ("organisation__name", gettext_lazy("Organisation"), _as_is),
    ("licence__number", gettext_lazy("Licence"), _as_is),
    ("licence__product", gettext_lazy("Product"), _as_is),
    ("assignee__full_name", gettext_lazy("Agent"), _as_is),
    ("group__name", gettext_lazy("Group"), _as_is),
    ("first_response_at", gettext_lazy("First response"), _moment),
    (
        "first_response_support_seconds",
        gettext_lazy("First response, support seconds"),
        _as_is,
    ),
    ("first_response_met", gettext_lazy("First response within target"), _yes_no),
    ("resolved_at", gettext_lazy("Solved"), _moment),
    (
        "resolution_support_seconds",
        gettext_lazy("Resolution, support seconds"),
        _as_is,
    ),
    ("resolution_met", gettext_lazy("Solved within target"), _yes_no),
    ("staff_replies", gettext_lazy("Support replies"), _as_is),
    ("rating__score", gettext_lazy("Rating"), _as_is),
)


def ticket_lines(period: figures.Period) -> Iterator[list]:
    """The heading, then each ticket filed in the period, oldest first."""
    tickets = (
        figures.tickets_filed(period)
        .order_by("created_at", "pk")
        .values_list(*(name for name, _label, _write in TICKET_COLUMNS))
    )
    writers = [write for _name, _label, write in TICKET_COLUMNS]
    yield [str(label) for _name, label, _write in TICKET_COLUMNS]
    for values in tickets.iterator(chunk_size=BATCH):
        yield [write(value) for write, value in zip(writers, values, strict=True)]


class _Sheet:
    """One worksheet written row by row (openpyxl's write-only mode keeps
    no rows in memory)."""

    def __init__(self, title: str) -> None:
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31])

    def append(self, row: Iterable) -> None:
        self.sheet.append([cell(value) for value in row])

    def save(self, target) -> None:
        self.book.save(target)


def xlsx_bytes(title: str, rows: Iterable[Iterable]) -> bytes:
    """A small table (the report's rows) as an XLSX file."""
    sheet = _Sheet(title)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    sheet.save(out)
    return out.getvalue()


def write_export(export: Export) -> Export:
    """Write the export's tickets into its file, saving the progress after
    each batch; a failure is recorded on the export, never half a file.
    The tickets are read from the replica, if there is one."""
    period = figures.Period(export.first, export.last)
    with reading_from_replica():
        total = figures.tickets_filed(period).count()
    Export.objects.filter(pk=export.pk).update(
        state=Export.State.RUNNING, rows_total=total, rows_done=0
    )
    try:
        with tempfile.TemporaryFile() as spool:
            with (
                translation.override(export.requested_by.language or None),
                reading_from_replica(),
            ):
                _write(export, period, spool)
            spool.seek(0)
            export.file.save(export.filename, File(spool), save=False)
        Export.objects.filter(pk=export.pk).update(
            file=export.file.name, state=Export.State.DONE, finished_at=now()
        )
    except Exception:
        logger.exception("Export %s failed.", export.pk)
        Export.objects.filter(pk=export.pk).update(
            state=Export.State.FAILED, finished_at=now()
        )
    export.refresh_from_db()
    return export


def _write(export: Export, period: figures.Period, spool) -> None:
    lines = ticket_lines(period)
    if export.format == Export.Format.XLSX:
        sheet = _Sheet(_("Tickets"))
        write = sheet.append
    else:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        text.write(BYTE_ORDER_MARK)
        writer = csv.writer(text)

        def write(row: Iterable) -> None:
            writer.writerow([cell(value) for value in row])

    write(next(lines))
    done = 0
    for line in lines:
        write(line)
        done += 1
        if done % BATCH == 0:
            Export.objects.filter(pk=export.pk).update(rows_done=done)
    Export.objects.filter(pk=export.pk).update(rows_done=done)
    if export.format == Export.Format.XLSX:
        sheet.save(spool)
    else:
        text.flush()
        text.detach()
