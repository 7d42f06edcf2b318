"""The ticket domain's periodic and background work: thin tasks over `tickets.services`.

Tasks of the channels sit beside the code they run (`outbox.email`,
`tickets.email.imap`, `tickets.telegram.updates`, `tickets.telegram.outbox`,
`tickets.dashboard.figures`); `CELERY_IMPORTS` lists those modules.
"""

from __future__ import annotations

from celery import shared_task

from tickets import services


@shared_task
def close_resolved_tickets() -> int:
    return services.close_resolved_tickets()


@shared_task
def recompute_open_sla() -> int:
    """Deadlines of unsolved tickets after the calendar or the targets changed."""
    return services.recompute_sla()


@shared_task
def warn_about_deadlines() -> int:
    return services.warn_about_deadlines()


@shared_task
def forget_kept_uploads() -> int:
    return services.forget_kept_uploads()
