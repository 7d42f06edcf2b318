from __future__ import annotations

from celery import shared_task

from privacy import services


@shared_task
def apply_retention() -> int:
    """Nightly: remove what is kept no longer; the run's id."""
    return services.apply_retention().pk
