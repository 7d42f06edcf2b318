"""Groups of agents a ticket belongs to, and the tags put on tickets."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SupportGroupQuerySet(models.QuerySet["SupportGroup"]):
    def of(self, user: User) -> SupportGroupQuerySet:
        """The active groups the agent is a member of."""
        return self.filter(members=user, is_active=True)


class SupportGroup(models.Model):
    """A team (first line, second line, a product's specialists): its queue
    and how new tickets in it find an agent. Named so as not to be taken for
    Django's permission groups."""

    class Assignment(models.TextChoices):
        NONE = "", _("Nobody: agents take tickets from the group's queue")
        ROUND_ROBIN = "round_robin", _("In turn (round-robin)")
        LEAST_LOADED = "least_loaded", _("To the agent with the fewest open tickets")

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    members = models.ManyToManyField(
        User,
        blank=True,
        related_name="support_groups",
        verbose_name=_("members"),
        limit_choices_to={"is_staff": True},
    )
    assignment = models.CharField(
        _("automatic assignment"),
        max_length=16,
        choices=Assignment,
        blank=True,
        default=Assignment.NONE,
        help_text=_(
            "Only to members who are on shift now and under the cap of open "
            "tickets; otherwise the ticket waits unassigned in the group."
        ),
    )
    open_tickets_cap = models.PositiveIntegerField(
        _("open tickets per agent at most"),
        null=True,
        blank=True,
        help_text=_("Empty: no cap."),
    )
    # Round-robin's turn: the member who was given the last ticket.
    last_assigned = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SupportGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A word put on tickets, to filter, report and trigger on. Stored in
    lower case, so "VPN" and "vpn" are one tag."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="tag_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def normalise(name: str) -> str:
        """How a typed tag is stored: one lower-case word, hyphens for spaces."""
        return "-".join(name.strip().lower().replace(",", " ").split())[:50]

    @classmethod
    def names_in(cls, text: str) -> list[str]:
        """The tags typed in a text, separated by commas, as they are stored."""
        return sorted({name for name in map(cls.normalise, text.split(",")) if name})
