"""CSV files answered as they are written: each row is read, written and
sent before the next, so an export of any length takes the memory of one
row (and of the database driver's batch).

Every cell a spreadsheet would run as a formula is quoted, and the file
starts with a byte-order mark, without which Excel reads UTF-8 as the
system's code page (Cyrillic comes out garbled).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


class _Echo:
    """A file whose writes are handed back: csv.writer row by row."""

    def write(self, value: str) -> str:
        return value


def cell(value: object) -> object:
    """A value as a spreadsheet may open it: text that would be a formula
    quoted; numbers as they are (a negative number is no formula)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def streamed_csv(filename: str, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A CSV download of `rows` (an iterable, best a generator), each cell
    made safe by `cell`."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield BYTE_ORDER_MARK
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
