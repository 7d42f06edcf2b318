from __future__ import annotations

from celery import shared_task

from privacy import services


@shared_task
def apply_retention() -> int:
    """Nightly: remove what is kept no longer; the run's id."""
    return services.apply_retention().pk


# Rare, and it reads every table: more time than the default limits give,
# still under the broker's visibility timeout, after which a task still
# running would be handed to a second worker (which would then find the
# erasure locked and leave it).
ERASURE_LIMITS = {"soft_time_limit": 25 * 60, "time_limit": 30 * 60}


@shared_task(**ERASURE_LIMITS)
def erase_person(erasure_id: int) -> str:
    """Carry out a requested erasure; its status then ("" if nothing was
    left to do)."""
    erasure = services.carry_out_erasure(erasure_id)
    return erasure.status if erasure is not None else ""


@shared_task(**ERASURE_LIMITS)
def erase_pending() -> int:
    """Catch up with erasures whose task was lost (a broker outage at the
    request); how many were taken up now (done or failed)."""
    return sum(
        services.carry_out_erasure(pk) is not None for pk in services.pending_erasures()
    )
