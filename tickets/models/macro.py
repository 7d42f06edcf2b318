"""Macros: one click that writes a reply and sets a ticket's properties."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.models.ticket import Ticket

PLACEHOLDER_HELP = _(
    "Placeholders: {customer_name}, {licence_number}, {support_ends_on}, "
    "{reference}, {agent_name}."
)


class MacroQuerySet(models.QuerySet["Macro"]):
    def usable_by(self, user: User) -> MacroQuerySet:
        """Active shared macros and the user's own."""
        return self.filter(Q(owner=None) | Q(owner=user), is_active=True)


class Macro(models.Model):
    """A reply text (placeholders filled per ticket, in the customer's
    language) with the status, priority, category, assignee, group and tags
    it sets.
    Shared when it has no owner; otherwise its owner's alone."""

    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        verbose_name=_("owner"),
        help_text=_("Empty: shared with every agent."),
    )
    body_ru = models.TextField(
        _("text in Russian"), blank=True, help_text=PLACEHOLDER_HELP
    )
    body_en = models.TextField(_("text in English"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Ticket.Status, blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=20, choices=Ticket.Priority, blank=True
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Ticket.Category, blank=True
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    group = models.ForeignKey(
        "tickets.SupportGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    tags = models.CharField(
        _("tags to add"),
        max_length=200,
        blank=True,
        help_text=_("Separated by commas."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MacroQuerySet.as_manager()

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["title", "pk"]
        permissions = [("manage_shared_macros", _("Can manage shared macros"))]
        constraints = [
            # A macro that neither writes nor sets anything is a mistake.
            models.CheckConstraint(
                condition=~Q(
                    body_ru="",
                    body_en="",
                    status="",
                    priority="",
                    category="",
                    assignee__isnull=True,
                    group__isnull=True,
                    tags="",
                ),
                name="macro_does_something",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def body_in(self, language: str) -> str:
        """The text in a language, or the other one when that is empty."""
        if language == "en":
            return self.body_en or self.body_ru
        return self.body_ru or self.body_en

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None
