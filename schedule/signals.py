"""Cache invalidation only: the rules live in `schedule.hours`."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from schedule import current
from schedule.models import CalendarDay, CalendarYear, DateOverride, WeeklyHours


@receiver(post_save, sender=WeeklyHours)
@receiver(post_save, sender=CalendarYear)
@receiver(post_save, sender=CalendarDay)
@receiver(post_save, sender=DateOverride)
@receiver(post_delete, sender=WeeklyHours)
@receiver(post_delete, sender=CalendarYear)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_delete, sender=DateOverride)
def calendar_changed(sender: type, **kwargs: Any) -> None:
    current.invalidate()


@receiver(post_migrate)
def calendar_migrated(sender: Any, **kwargs: Any) -> None:
    # Data migrations write through historical models, which send no signals
    # to the receivers above; nor does `flush` (between transactional tests).
    if sender.name == "schedule":
        current.invalidate()
