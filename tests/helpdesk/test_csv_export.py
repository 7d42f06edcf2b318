"""CSV downloads: streamed, opened by Excel as UTF-8, formulas made text."""

from __future__ import annotations

from helpdesk.csv_export import cell, streamed_csv


def test_text_a_spreadsheet_would_run_is_quoted_and_numbers_are_kept() -> None:
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("-2+3") == "'-2+3"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell(-3) == -3
    assert cell(0.75) == 0.75
    assert cell(None) == ""
    assert cell("ООО «Ромашка»") == "ООО «Ромашка»"


def test_rows_are_written_as_they_are_read() -> None:
    read = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [n, f"=row {n}"]

    response = streamed_csv("x.csv", rows())
    chunks = iter(response.streaming_content)

    assert next(chunks).decode() == "\ufeff"
    assert read == []
    assert next(chunks).decode() == "0,'=row 0\r\n"
    assert read == [0]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
