from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings

from audit.models import AuditEntry


@shared_task
def prune_audit_log() -> int:
    """Forget entries older than AUDIT_RETENTION_DAYS; nightly."""
    return AuditEntry.objects.prune(
        older_than=datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    )
