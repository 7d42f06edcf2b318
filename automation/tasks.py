from __future__ import annotations

from celery import shared_task

from automation import escalations


@shared_task
def escalate() -> int:
    """Beat: act on the tickets whose escalation clocks are due."""
    return escalations.escalate()
