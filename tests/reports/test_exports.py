"""The report's exports: its table as CSV or XLSX at once, its tickets as a
file the worker writes while a page shows the progress."""

from __future__ import annotations

import csv
import datetime
import io
import os
import time

import openpyxl
import pytest
import time_machine
from django.db import transaction

from audit.models import AuditEntry
from reports.exports import write_export
from reports.models import Export
from reports.tasks import forget_old_exports, write_export_file
from tests.auth import sign_in
from tests.factories import LicenceFactory
from tests.schedule.support import msk
from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]

URL = "/staff/reports/"
MAY = {"first": "2026-05-01", "last": "2026-05-13", "by": "channel"}
NOW = msk(2026, 5, 13, 12)
MAY_TICKETS = ("t2", "t3", "t4", "t5", "t6", "t7")


def _ask(client, django_capture_on_commit_callbacks, format: str):
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return client.post(URL + "exports/", {**MAY, "format": format})


def test_the_tickets_export_as_csv_written_by_the_task(
    client, history, supervisor, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, supervisor)

    asked = _ask(client, django_capture_on_commit_callbacks, "csv")

    export = Export.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == f"{URL}exports/{export.pk}/"
    assert (export.state, export.rows_done, export.rows_total) == ("done", 6, 6)
    page = client.get(asked["Location"]).content.decode()
    assert f"{URL}exports/{export.pk}/file" in page
    assert client.get(f"{URL}exports/{export.pk}/progress").json() == {
        "state": "done",
        "label": "Готово",
        "done": 6,
        "total": 6,
        "percent": 100,
        "finished": True,
    }
    download = client.get(f"{URL}exports/{export.pk}/file")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{export.filename}"' in download["Content-Disposition"]
    text = b"".join(download.streaming_content).decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "\ufeffНомер"
    assert {row[0] for row in rows[1:]} == {
        history[name].reference for name in MAY_TICKETS
    }
    t3 = next(row for row in rows if row[0] == history["t3"].reference)
    # Filed, solved after 13 support hours, one reply, rated 5.
    assert t3[1] == "2026-05-12 10:00"
    assert (t3[-4], t3[-2], t3[-1]) == ("46800", "1", "5")
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.data["export"]) == (supervisor, "tickets.csv")


def test_the_tickets_export_as_xlsx_in_the_author_s_language(
    client, history, supervisor, django_capture_on_commit_callbacks
) -> None:
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    sign_in(client, supervisor)

    _ask(client, django_capture_on_commit_callbacks, "xlsx")

    export = Export.objects.get()
    download = client.get(f"{URL}exports/{export.pk}/file")
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Reference", "Filed", "Status")
    assert len(rows) == 1 + 6
    t3 = next(row for row in rows if row[0] == history["t3"].reference)
    # Numbers stay numbers in a spreadsheet.
    assert (t3[-4], t3[-2], t3[-1]) == (46800, 1, 5)


def test_a_cell_a_spreadsheet_would_run_stays_text(
    supervisor, organisation, customer
) -> None:
    licence = LicenceFactory(organisation=organisation)
    organisation.name = '=HYPERLINK("http://evil.example","x")'
    organisation.save(update_fields=["name"])
    ticket = open_ticket(
        contact=customer,
        licence=licence,
        subject="Вопрос",
        description="Текст",
        category=Ticket.Category.OTHER,
    )
    day = ticket.created_at.astimezone(msk(2026, 1, 1).tzinfo).date()
    export = write_export(
        Export.objects.create(
            requested_by=supervisor, format=Export.Format.XLSX, first=day, last=day
        )
    )

    with export.file.open("rb") as file:
        sheet = openpyxl.load_workbook(file).active
    organisation_cell = sheet.cell(row=2, column=7)
    assert organisation_cell.value == "'" + organisation.name
    assert organisation_cell.data_type == "s"


def test_another_supervisor_cannot_see_or_download_it(
    client, history, supervisor, admin_user, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, supervisor)
    _ask(client, django_capture_on_commit_callbacks, "csv")
    export = Export.objects.get()

    sign_in(client, admin_user)

    for path in ("", "progress", "file"):
        assert client.get(f"{URL}exports/{export.pk}/{path}").status_code == 404


def test_the_report_page_lists_one_s_recent_exports(
    client, history, supervisor, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, supervisor)
    _ask(client, django_capture_on_commit_callbacks, "xlsx")

    with time_machine.travel(NOW, tick=False):
        page = client.get(URL, MAY).content.decode()

    export = Export.objects.get()
    assert f'href="{URL}exports/{export.pk}/"' in page
    assert "tickets-2026-05-01-2026-05-13.xlsx" in page


def test_a_task_run_twice_writes_once_and_old_exports_are_forgotten(
    supervisor, settings
) -> None:
    export = Export.objects.create(
        requested_by=supervisor,
        format=Export.Format.CSV,
        first=datetime.date(2026, 5, 1),
        last=datetime.date(2026, 5, 2),
    )
    assert write_export_file(export.pk) == "done"
    assert write_export_file(export.pk) == "gone"
    export.refresh_from_db()
    path = export.file.path

    with time_machine.travel(
        export.created_at
        + datetime.timedelta(hours=settings.REPORT_EXPORT_KEEP_HOURS, minutes=1)
    ):
        assert forget_old_exports() == 1

    assert not Export.objects.exists()
    assert not os.path.exists(path)


def test_a_failed_export_says_so(client, supervisor, monkeypatch) -> None:
    export = Export.objects.create(
        requested_by=supervisor,
        format=Export.Format.CSV,
        first=datetime.date(2026, 5, 1),
        last=datetime.date(2026, 5, 2),
    )

    def broken(*args) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("reports.exports._write", broken)

    assert write_export(export).state == Export.State.FAILED
    sign_in(client, supervisor)
    page = client.get(f"{URL}exports/{export.pk}/").content.decode()
    assert "не удалось" in page.lower()
    assert not export.file


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_it_while_the_page_follows(
    client, supervisor, customer, organisation, redis_celery_worker
) -> None:
    licence = LicenceFactory(organisation=organisation)
    for n in range(3):
        open_ticket(
            contact=customer,
            licence=licence,
            subject=f"Вопрос {n}",
            description="Текст",
            category=Ticket.Category.OTHER,
        )
    today = Ticket.objects.first().created_at.astimezone(msk(2026, 1, 1).tzinfo).date()
    sign_in(client, supervisor)

    with transaction.atomic():
        asked = client.post(
            URL + "exports/",
            {"first": today, "last": today, "by": "agent", "format": "csv"},
        )
        assert Export.objects.get().state == Export.State.QUEUED

    progress = asked["Location"] + "progress"
    deadline = time.monotonic() + 20
    while not client.get(progress).json()["finished"]:
        assert time.monotonic() < deadline, "the worker did not write the export"
        time.sleep(0.1)
    assert client.get(progress).json()["done"] == 3
    download = client.get(asked["Location"] + "file")
    assert len(b"".join(download.streaming_content).decode().splitlines()) == 4
