"""Rules as data: routing, triggers and escalations, and the agents' shifts.

A rule is a list of conditions on a ticket and a list of actions. Routing
rules run when a ticket is filed, the first that matches wins; triggers run
on the ticket events they name, every one that matches, in order;
escalations run from beat when a ticket's clock (counted in support hours)
has run past their limit. Every run is recorded (`RuleRun`), which is also
what keeps a rule from acting twice on one event or one clock.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from schedule.models import WeeklyHours
from tickets.models import SupportGroup, Ticket, TicketEvent
from webhooks.models import Endpoint


class RuleQuerySet(models.QuerySet["Rule"]):
    def active(self) -> RuleQuerySet:
        return self.filter(is_active=True)


class Rule(models.Model):
    class Kind(models.TextChoices):
        ROUTING = "routing", _("Routing rule")
        TRIGGER = "trigger", _("Trigger")
        ESCALATION = "escalation", _("Escalation")

    class Event(models.TextChoices):
        CREATED = "created", _("Ticket filed")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        STAFF_REPLIED = "staff_replied", _("Support replied")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        SLA_WARNING = "sla_warning", _("SLA deadline near")
        SLA_BREACHED = "sla_breached", _("SLA deadline passed")
        RATED = "rated", _("Rated")
        TAG_ADDED = "tag_added", _("Tag added")

    class Clock(models.TextChoices):
        NO_FIRST_ANSWER = "no_first_answer", _("No first answer since filing")
        UNANSWERED = "unanswered", _("The customer's last message is unanswered")
        WAITING = "waiting", _("Waiting for the customer")
        UNASSIGNED = "unassigned", _("Unassigned since filing")

    class Unit(models.TextChoices):
        HOURS = "hours", _("working hours")
        DAYS = "days", _("working days")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind, editable=False)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(
        pgettext_lazy("rules", "order"),
        default=0,
        help_text=_("Rules run in this order, lowest first."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    match_all = models.BooleanField(
        _("all conditions must hold"),
        default=True,
        help_text=_("Unticked: any one of the conditions is enough."),
    )
    # Triggers: the event they react to.
    event = models.CharField(_("when"), max_length=20, choices=Event, blank=True)
    # Escalations: the clock they watch and its limit.
    clock = models.CharField(_("clock"), max_length=20, choices=Clock, blank=True)
    after = models.PositiveIntegerField(_("after"), null=True, blank=True)
    unit = models.CharField(
        _("unit"), max_length=8, choices=Unit, default=Unit.HOURS, blank=True
    )
    # Why the rule was last skipped as broken (a deleted group, an inactive
    # agent…), shown in the admin until someone saves it again.
    problem = models.TextField(_("problem"), blank=True, editable=False)
    problem_at = models.DateTimeField(_("problem seen"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="trigger") | ~Q(event=""),
                name="trigger_has_event",
            ),
            models.CheckConstraint(
                condition=~Q(kind="escalation")
                | (~Q(clock="") & Q(after__isnull=False)),
                name="escalation_has_clock",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def limit(self) -> tuple[int, str]:
        return (self.after or 0, self.unit or self.Unit.HOURS)

    def limit_shown(self) -> str:
        """The escalation's limit as people say it: "5 working days"."""
        return f"{self.after} {self.get_unit_display()}" if self.after else "—"


class RoutingRule(Rule):
    class Meta:
        proxy = True
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")


class Trigger(Rule):
    class Meta:
        proxy = True
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")


class Escalation(Rule):
    class Meta:
        proxy = True
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")


class Condition(models.Model):
    class Field(models.TextChoices):
        CHANNEL = "channel", _("Channel")
        CATEGORY = "category", _("Category")
        PRIORITY = "priority", _("Priority")
        STATUS = "status", _("Status")
        GROUP = "group", _("Group")
        ASSIGNEE = "assignee", _("Assignee")
        ORGANISATION = "organisation", _("Organisation (name or INN)")
        PRODUCT = "product", _("Licence product")
        EDITION = "edition", _("Licence edition")
        LANGUAGE = "language", _("Contact's language")
        CONTACT_EMAIL = "contact_email", _("Contact's e-mail")
        SUBJECT = "subject", _("Subject")
        MESSAGE = "message", _("Text of the message")
        TAGS = "tags", _("Tags")

    class Operator(models.TextChoices):
        IS = "is", _("is (one of)")
        IS_NOT = "is_not", _("is not (any of)")
        CONTAINS = "contains", _("contains any of the words")
        NOT_CONTAINS = "not_contains", _("contains none of the words")
        EMPTY = "empty", _("is empty")
        NOT_EMPTY = "not_empty", _("is not empty")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(_("field"), max_length=20, choices=Field)
    operator = models.CharField(
        _("operator"), max_length=16, choices=Operator, default=Operator.IS
    )
    value = models.CharField(
        _("value"),
        max_length=500,
        blank=True,
        help_text=_("Several values or words: separate them with commas."),
    )
    group = models.ForeignKey(
        SupportGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
        limit_choices_to={"is_staff": True},
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.get_operator_display()} {self.value}"


class Action(models.Model):
    class Kind(models.TextChoices):
        SET_GROUP = "set_group", _("Set the group")
        ASSIGN = "assign", _("Assign to the agent (none: by the group's rule)")
        SET_PRIORITY = "set_priority", _("Set the priority")
        SET_STATUS = "set_status", _("Set the status")
        SET_CATEGORY = "set_category", _("Set the category")
        ADD_TAGS = "add_tags", _("Add tags")
        REMOVE_TAGS = "remove_tags", _("Remove tags")
        ADD_NOTE = "add_note", _("Add an internal note")
        NOTIFY = "notify", _("Notify the agent, the group or the assignee")
        REPLY = "reply", _("Send a public reply")
        WEBHOOK = "webhook", _("Call a webhook")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("action"), max_length=16, choices=Kind)
    value = models.TextField(
        _("value"),
        blank=True,
        help_text=_(
            "A priority, status or category code, tags separated by commas, or "
            "the text of a note, notice or reply (placeholders as in macros)."
        ),
    )
    group = models.ForeignKey(
        SupportGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
        limit_choices_to={"is_staff": True},
    )
    endpoint = models.ForeignKey(
        Endpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("webhook"),
        # The vendor's own integrations; an organisation's hear only of theirs.
        limit_choices_to={"integration__organisation": None},
    )
    # Whether it was saved naming a group, agent or webhook: when that is
    # deleted later (SET_NULL), the rule is reported broken rather than
    # becoming another rule (an assignment by turn, a notice to nobody).
    needs_reference = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def remember_references(self) -> None:
        """Note, before saving, whether the action names a group, agent or webhook."""
        self.needs_reference = any(
            reference is not None
            for reference in (self.group_id, self.user_id, self.endpoint_id)
        )


class RuleRun(models.Model):
    """A rule acted on a ticket: once per event (triggers, routing) or per
    clock (escalations), whatever retries or loops follow."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        TicketEvent, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # Escalations: when the clock they watched started, and whether the
    # ticket met the rule's conditions when it was due (looked at once).
    started_at = models.DateTimeField(null=True)
    matched = models.BooleanField(_("matched"), default=True)
    done = models.TextField(_("what it did"), blank=True)
    created_at = models.DateTimeField(_("when"), default=now, db_index=True)

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "event"],
                condition=Q(event__isnull=False),
                name="rule_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["rule", "ticket", "started_at"],
                condition=Q(started_at__isnull=False),
                name="rule_once_per_clock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.ticket_id}"


class Shift(models.Model):
    """An agent's working hours on a weekday; auto-assignment reaches only
    agents on shift. An agent with no shifts works support's own hours."""

    # Support's own weekdays: `date.weekday()`, Monday first.
    Weekday = WeeklyHours.Weekday

    agent = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("agent"),
        limit_choices_to={"is_staff": True},
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["agent", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__lt=models.F("ends")), name="shift_starts_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Absence(models.Model):
    """Days an agent is away (leave, sickness): no tickets assigned then."""

    agent = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("agent"),
        limit_choices_to={"is_staff": True},
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")),
                name="absence_starts_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.starts_on}–{self.ends_on}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on
