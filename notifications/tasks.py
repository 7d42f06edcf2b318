from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task
def send_due_emails() -> int:
    """Beat: e-mail the notifications held for quiet hours or a digest."""
    return services.send_due_emails()
