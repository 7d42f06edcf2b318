"""Reports' background work: exports, and the weekly report to the
supervisors."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from reports import services
from reports.exports import write_export
from reports.models import Export


@shared_task
def write_export_file(export_id: int) -> str:
    export = Export.objects.filter(pk=export_id, state=Export.State.QUEUED).first()
    if export is None:
        return "gone"  # written already (a task run twice), or forgotten
    return write_export(export).state


@shared_task
def forget_old_exports() -> int:
    """Delete the exports (and their files) older than
    REPORT_EXPORT_KEEP_HOURS."""
    forgotten = 0
    for export in Export.objects.expired():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        forgotten += 1
    return forgotten


@shared_task
def send_weekly_report(day: str | None = None) -> int:
    """Beat, Mondays 07:30 Moscow time: last week's report to the
    supervisors; how many it went to (0 when the week had been sent). `day`
    (an ISO date) picks the week holding it instead, e.g. a past week to try
    it on."""
    record = services.send_weekly_report(
        dt.date.fromisoformat(day) if day is not None else None
    )
    return record.recipients.count() if record is not None else 0
