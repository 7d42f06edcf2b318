"""Service levels: the targets per priority and the warnings sent about deadlines."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import (
    Ticket,
)


class SlaTargetQuerySet(models.QuerySet["SlaTarget"]):
    def by_priority(self) -> dict[str, SlaTarget]:
        return {target.priority: target for target in self}


class SlaTarget(models.Model):
    """How much support time a ticket of one priority may take, edited in the admin."""

    priority = models.CharField(
        _("priority"), max_length=16, choices=Ticket.Priority, unique=True
    )
    # Support hours, not wall-clock hours: the clock runs only while support
    # is open (schedule.current), so "2 days" is written as 24 hours.
    first_response_hours = models.DecimalField(
        _("first response within (support hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    resolution_hours = models.DecimalField(
        _("resolution within (support hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SlaTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["first_response_hours"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0, resolution_hours__gt=0),
                name="sla_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(Ticket.Priority(self.priority).label)

    @property
    def first_response(self) -> datetime.timedelta:
        return datetime.timedelta(hours=float(self.first_response_hours))

    @property
    def resolution(self) -> datetime.timedelta:
        return datetime.timedelta(hours=float(self.resolution_hours))


class SlaWarning(models.Model):
    """One warning about one deadline; the unique key makes each warning once only."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline within a support hour")
        BREACHED = "breached", _("Deadline passed")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="sla_warnings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    due_at = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("SLA warning")
        verbose_name_plural = _("SLA warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "due_at"], name="one_sla_warning_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference}: {self.get_kind_display()}"
