from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from audit.models import RETENTION_FLOOR_DAYS


@register()
def retention_not_below_floor(**kwargs: Any) -> list[Error]:
    # The trigger would refuse the nightly prune's deletions anyway; said at
    # start-up instead of failing every night.
    if settings.AUDIT_RETENTION_DAYS >= RETENTION_FLOOR_DAYS:
        return []
    return [
        Error(
            f"AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; the audit "
            f"log keeps entries at least {RETENTION_FLOOR_DAYS} days.",
            hint="Raise AUDIT_RETENTION_DAYS (default 1095).",
            id="audit.E001",
        )
    ]
