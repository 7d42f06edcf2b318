"""Stored deadlines follow the SLA targets and the support calendar.

Both change rarely, by an administrator; the SLA facts stored on every
unsolved ticket (`services.refresh_sla`) are then recomputed in the worker,
once the change has committed. The targets change only through the functions
here (the admin calls them); the calendar belongs to `schedule`, which may not
know tickets, so it announces its changes (`schedule.current.calendar_changed`)
and `tickets.signals` passes them on to `recompute_open_tickets`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from tickets.models import SlaTarget
from tickets.tasks import recompute_open_sla


def save_target(target: SlaTarget) -> None:
    with transaction.atomic():
        target.save()
        _recompute_after_commit()


def delete_targets(targets: QuerySet[SlaTarget]) -> None:
    with transaction.atomic():
        targets.delete()
        _recompute_after_commit()


def recompute_open_tickets() -> None:
    recompute_open_sla.delay()


def _recompute_after_commit() -> None:
    # robust: a broker outage must not undo the saved target; the nightly
    # recompute catches up.
    transaction.on_commit(recompute_open_tickets, robust=True)
