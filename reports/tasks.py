from __future__ import annotations

from celery import shared_task

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
