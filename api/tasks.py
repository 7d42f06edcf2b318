from __future__ import annotations

from celery import shared_task

from api.idempotency import forget_idempotent_requests


@shared_task
def forget_old_idempotent_requests() -> int:
    return forget_idempotent_requests()
