"""Deadlines follow their inputs: a new calendar or new SLA targets recompute them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from schedule import current as support_hours
from tickets.models import SlaTarget


def _recompute_open_tickets() -> None:
    from tickets.tasks import recompute_open_sla

    recompute_open_sla.delay()


@receiver(support_hours.calendar_changed)
def calendar_changed(**kwargs: Any) -> None:
    # Already after the commit of the calendar change.
    _recompute_open_tickets()


@receiver(post_save, sender=SlaTarget)
@receiver(post_delete, sender=SlaTarget)
def sla_targets_changed(**kwargs: Any) -> None:
    # robust: a broker outage must not undo the admin's saved target; the
    # nightly recompute catches up.
    transaction.on_commit(_recompute_open_tickets, robust=True)
