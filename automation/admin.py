"""Supervisors edit routing rules, triggers and escalations, shifts and
absences in the admin; each rule has a dry run over the latest tickets, and
a broken rule says why at the top of its list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from automation import engine, escalations
from automation.actions import Broken
from automation.forms import ActionForm, ConditionForm, RuleForm
from automation.models import (
    Absence,
    Action,
    Condition,
    Escalation,
    RoutingRule,
    Rule,
    RuleRun,
    Shift,
    Trigger,
)
from helpdesk.admin_names import ModelAdmin
from tickets.models import Message, Ticket

# How many of the latest tickets a dry run looks at.
DRY_RUN_TICKETS = 1000


class ConditionInline(admin.TabularInline):
    model = Condition
    form = ConditionForm
    extra = 1


class ActionInline(admin.TabularInline):
    model = Action
    form = ActionForm
    extra = 1


class RuleAdmin(ModelAdmin):
    form = RuleForm
    kind: str = ""
    inlines = [ConditionInline, ActionInline]
    list_display = ["name", "position", "is_active", "shown_problem"]
    list_editable = ["position", "is_active"]
    ordering = ["position", "pk"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    readonly_fields = ["problem", "problem_at", "recent_runs"]
    change_form_template = "admin/automation/rule/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rule]:
        return super().get_queryset(request).filter(kind=self.kind)

    def save_model(self, request, obj: Rule, form, change: bool) -> None:
        obj.kind = self.kind
        # Saved again by someone who looked at it: the problem is theirs now.
        obj.problem, obj.problem_at = "", None
        super().save_model(request, obj, form, change)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        for rule in self.get_queryset(request).exclude(problem=""):
            messages.warning(
                request,
                _("“%(name)s” was skipped: %(problem)s")
                % {"name": rule.name, "problem": rule.problem},
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("problem"))
    def shown_problem(self, rule: Rule) -> str:
        return rule.problem or "—"

    @admin.display(description=gettext_lazy("latest runs"))
    def recent_runs(self, rule: Rule) -> str:
        if rule.pk is None:
            return "—"
        url = reverse("admin:automation_rulerun_changelist")
        return format_html(
            '<a href="{}?rule__id__exact={}">{}</a>', url, rule.pk, _("What it did")
        )

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/dry-run/",
                self.admin_site.admin_view(self.dry_run_view),
                name="{}_{}_dry_run".format(*info),
            ),
            *super().get_urls(),
        ]

    def dry_run_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Which of the latest tickets the rule's conditions match now; nothing changes."""
        rule = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, rule):
            return self.admin_site.login(request)
        tickets = list(
            Ticket.objects.select_related("organisation", "licence", "contact")
            .prefetch_related(
                Prefetch(
                    "messages",
                    queryset=Message.objects.filter(
                        kind=Message.Kind.CUSTOMER
                    ).order_by("pk"),
                ),
            )
            .order_by("-created_at", "-pk")[:DRY_RUN_TICKETS]
        )
        try:
            matched = engine.dry_run(rule, tickets)
            problem = ""
        except Broken as broken:
            matched, problem = [], str(broken)
        due = None
        if rule.kind == Rule.Kind.ESCALATION:
            due = escalations.due_tickets(rule, now()).count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": rule,
            "title": _("Dry run of “%(name)s”") % {"name": rule.name},
            "looked_at": len(tickets),
            "matched": matched[:200],
            "matched_count": len(matched),
            "problem": problem,
            "due": due,
        }
        return TemplateResponse(request, "admin/automation/rule/dry_run.html", context)


@admin.register(RoutingRule)
class RoutingRuleAdmin(RuleAdmin):
    kind = Rule.Kind.ROUTING
    fields = ["name", "position", "is_active", "match_all", "problem", "recent_runs"]


@admin.register(Trigger)
class TriggerAdmin(RuleAdmin):
    kind = Rule.Kind.TRIGGER
    list_display = ["name", "event", *RuleAdmin.list_display[1:]]
    list_filter = ["event", "is_active"]
    fields = [
        "name",
        "event",
        "position",
        "is_active",
        "match_all",
        "problem",
        "recent_runs",
    ]


@admin.register(Escalation)
class EscalationAdmin(RuleAdmin):
    kind = Rule.Kind.ESCALATION
    accusative = pgettext_lazy("accusative", "escalation")
    list_display = ["name", "clock", "shown_limit", *RuleAdmin.list_display[1:]]

    @admin.display(description=gettext_lazy("after"))
    def shown_limit(self, rule: Rule) -> str:
        return rule.limit_shown()

    fields = [
        "name",
        ("clock", "after", "unit"),
        "position",
        "is_active",
        "match_all",
        "problem",
        "recent_runs",
    ]


@admin.register(RuleRun)
class RuleRunAdmin(ModelAdmin):
    list_display = ["created_at", "rule", "ticket_link", "matched", "done"]
    list_filter = ["rule__kind", "matched"]
    list_select_related = ["rule", "ticket"]
    search_fields = ["ticket__reference", "rule__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("ticket"))
    def ticket_link(self, run: RuleRun) -> str:
        return format_html(
            '<a href="{}">{}</a>', run.ticket.get_absolute_url(), run.ticket.reference
        )


@admin.register(Shift)
class ShiftAdmin(ModelAdmin):
    accusative = pgettext_lazy("accusative", "shift")
    list_display = ["agent", "weekday", "starts", "ends"]
    list_filter = ["weekday"]
    autocomplete_fields = ["agent"]
    search_fields = ["agent__full_name", "agent__email"]


@admin.register(Absence)
class AbsenceAdmin(ModelAdmin):
    list_display = ["agent", "starts_on", "ends_on", "note"]
    autocomplete_fields = ["agent"]
    search_fields = ["agent__full_name", "agent__email"]
    date_hierarchy = "starts_on"
