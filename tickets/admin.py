from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts.models import User
from helpdesk.admin_names import ModelAdmin
from tickets import deadlines
from tickets.models import (
    Attachment,
    CannedResponse,
    Macro,
    Message,
    SatisfactionRating,
    SlaTarget,
    SlaWarning,
    SupportGroup,
    Tag,
    TelegramLink,
    TelegramUpdate,
    Ticket,
    TicketEvent,
)
from tickets.services import change_tickets, update_ticket
from tickets.telegram import linking


class MessageInline(admin.StackedInline):
    """The conversation, to read: `add_message` writes messages (and tells the
    customer, keeps the SLA clock and the search index), so staff reply on the
    ticket's page."""

    model = Message
    extra = 0
    fields = ["created_at", "kind", "author", "channel", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "old_value", "new_value", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AssigneeForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assign to:"),
        queryset=User.objects.active_staff().order_by("full_name"),
        required=False,
    )


class TicketActionForm(AssigneeForm, ActionForm):
    """The change list's action menu, with the staff member "Assign" needs."""


def _change_action(description: str, **change: str):
    """An admin action making one change to the selected tickets through the
    services (`TicketAdmin._change`); each description is a whole sentence to
    translate."""

    @admin.action(description=description, permissions=["change"])
    def action(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change(request, queryset, **change)

    return action


@admin.register(SupportGroup)
class SupportGroupAdmin(ModelAdmin):
    accusative = pgettext_lazy("accusative", "group")
    list_display = ["name", "assignment", "open_tickets_cap", "is_active"]
    list_filter = ["is_active", "assignment"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    fields = [
        "name",
        "description",
        "members",
        "assignment",
        "open_tickets_cap",
        "is_active",
    ]


@admin.register(Tag)
class TagAdmin(ModelAdmin):
    accusative = pgettext_lazy("accusative", "tag")
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Ticket)
class TicketAdmin(ModelAdmin):
    """Tickets to look at, changed only by the actions: they call the services
    the staff workspace calls, so every change writes its event and keeps the
    SLA clock, and a new status is told to the customer."""

    accusative = pgettext_lazy("accusative", "ticket")

    list_display = [
        "reference",
        "subject",
        "organisation",
        "status",
        "priority",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "priority", "category", "channel", "group"]
    search_fields = [
        "reference",
        "subject",
        "organisation__name",
        "licence__number",
        "contact__email",
    ]
    list_select_related = ["organisation", "assignee"]
    # Each field belongs to a service or is a record of what happened: the
    # state machine (status and its times), `update_ticket` (priority,
    # category, assignee, licence), `set_copied_contacts` (cc), `open_ticket`
    # (who filed it, for whom and how; the subject is one line and indexed
    # for search), `merge_ticket` (merged_into) and `refresh_sla` (the SLA facts).
    fields = [
        "reference",
        "subject",
        "status",
        "priority",
        "category",
        "assignee",
        "organisation",
        "licence",
        "contact",
        "contact_email",
        "contact_phone",
        "cc",
        "channel",
        "merged_into",
        "licence_override_by",
        "licence_override_reason",
        "created_at",
        "updated_at",
        "first_response_at",
        "last_customer_message_at",
        "resolved_at",
        "closed_at",
        "sla_due_at",
        "first_response_support_seconds",
        "first_response_met",
        "resolution_met",
    ]
    readonly_fields = fields
    inlines = [MessageInline, TicketEventInline]
    action_form = TicketActionForm
    actions = [
        "mark_open",
        "mark_waiting",
        "mark_resolved",
        "mark_closed",
        "set_priority_low",
        "set_priority_normal",
        "set_priority_high",
        "set_priority_critical",
        "assign",
        "unassign",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # `open_ticket` numbers, records and acknowledges a ticket: staff file
        # one for a customer in the workspace.
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # The actions need the permission; a ticket's page only shows it, as
        # saving it would write back every field read when it was opened.
        return obj is None and super().has_change_permission(request)

    def _report(self, request: HttpRequest, changed: int, errors: list[str]) -> None:
        self.message_user(
            request,
            ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", changed)
            % {"count": changed},
            messages.SUCCESS if changed else messages.WARNING,
        )
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    def _change(
        self, request: HttpRequest, queryset: QuerySet, **change: object
    ) -> None:
        """One change to each ticket, through the staff workspace's bulk service;
        a ticket that cannot take it is named with the reason."""
        changed, errors = change_tickets(
            list(queryset.order_by("pk")), by=request.user, **change
        )
        self._report(request, changed, errors)

    mark_open = _change_action(gettext_lazy("Set status: Open"), status="open")
    mark_waiting = _change_action(
        gettext_lazy("Set status: Waiting for customer"), status="waiting"
    )
    mark_resolved = _change_action(
        gettext_lazy("Set status: Resolved"), status="resolved"
    )
    mark_closed = _change_action(gettext_lazy("Set status: Closed"), status="closed")
    set_priority_low = _change_action(gettext_lazy("Set priority: Low"), priority="low")
    set_priority_normal = _change_action(
        gettext_lazy("Set priority: Normal"), priority="normal"
    )
    set_priority_high = _change_action(
        gettext_lazy("Set priority: High"), priority="high"
    )
    set_priority_critical = _change_action(
        gettext_lazy("Set priority: Critical"), priority="critical"
    )

    @admin.action(
        description=gettext_lazy("Assign to the staff member chosen"),
        permissions=["change"],
    )
    def assign(self, request: HttpRequest, queryset: QuerySet) -> None:
        form = AssigneeForm(request.POST)
        assignee = form.cleaned_data["assignee"] if form.is_valid() else None
        if assignee is None:
            self.message_user(
                request,
                _("Choose the staff member to assign the tickets to."),
                messages.ERROR,
            )
            return
        self._change(request, queryset, assignee=assignee)

    @admin.action(description=gettext_lazy("Unassign"), permissions=["change"])
    def unassign(self, request: HttpRequest, queryset: QuerySet) -> None:
        # As clearing the assignee on the ticket's page does.
        changed = sum(
            bool(update_ticket(ticket, by=request.user, assignee=None))
            for ticket in queryset.exclude(assignee=None).order_by("pk")
        )
        self._report(request, changed, [])


@admin.register(Attachment)
class AttachmentAdmin(ModelAdmin):
    list_display = ["original_name", "content_type", "size", "message", "created_at"]
    search_fields = ["original_name", "message__ticket__reference"]
    readonly_fields = [
        "file",
        "original_name",
        "size",
        "content_type",
        "message",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Files come with messages (`add_message`).
        return False


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(ModelAdmin):
    """What customers said (`rate_ticket` records it in the ticket's history)."""

    accusative = pgettext_lazy("accusative", "satisfaction rating")

    list_display = ["ticket", "score", "channel", "created_at"]
    list_filter = ["score", "channel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SlaTarget)
class SlaTargetAdmin(ModelAdmin):
    list_display = [
        "priority",
        "first_response_hours",
        "resolution_hours",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]

    # Through `tickets.deadlines`, so that stored deadlines follow.
    def save_model(self, request, obj, form, change) -> None:
        deadlines.save_target(obj)

    def delete_model(self, request, obj) -> None:
        deadlines.delete_targets(SlaTarget.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        deadlines.delete_targets(queryset)


@admin.register(CannedResponse)
class CannedResponseAdmin(ModelAdmin):
    list_display = ["title", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["title", "body_ru", "body_en"]


@admin.register(Macro)
class MacroAdmin(ModelAdmin):
    """Shared macros are kept by those with `manage_shared_macros`; every agent
    keeps their own here, sees the shared ones, and no one else's."""

    list_display = ["title", "owner", "status", "priority", "is_active"]
    list_filter = ["is_active", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["title", "body_ru", "body_en"]
    list_select_related = ["owner"]

    def _manages_shared(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tickets.manage_shared_macros")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Macro]:
        macros = super().get_queryset(request)
        if self._manages_shared(request):
            return macros
        return macros.filter(Q(owner=None) | Q(owner=request.user))

    def _may_write(self, request: HttpRequest, macro: Macro | None) -> bool:
        if macro is None or self._manages_shared(request):
            return True
        return macro.owner_id == request.user.pk

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_write(
            request, obj
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_write(
            request, obj
        )

    def get_exclude(self, request, obj=None):
        # An agent's macros are their own: the owner is set on saving.
        return ["created_at"] + ([] if self._manages_shared(request) else ["owner"])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = User.objects.active_staff().order_by("full_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: Macro, form, change: bool) -> None:
        if not self._manages_shared(request):
            obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.register(SlaWarning)
class SlaWarningAdmin(ModelAdmin):
    list_display = ["ticket", "kind", "due_at", "created_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TelegramLink)
class TelegramLinkAdmin(ModelAdmin):
    """Linked chats; deleting one unlinks it (a contact who lost their phone)."""

    accusative = pgettext_lazy("accusative", "Telegram link")

    list_display = ["user", "telegram_name", "chat_id", "linked_at"]
    search_fields = ["user__email", "user__full_name", "telegram_name"]
    list_select_related = ["user"]
    fields = ["user", "telegram_name", "chat_id", "linked_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: TelegramLink) -> None:
        # As the contact's own unlinking: the chat is told.
        linking.unlink(obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for link in queryset.select_related("user"):
            linking.unlink(link.user)


@admin.register(TelegramUpdate)
class TelegramUpdateAdmin(ModelAdmin):
    """What Telegram posted and what became of it: failed updates name the error."""

    list_display = ["update_id", "chat_id", "status", "created_at", "processed_at"]
    list_filter = ["status"]
    search_fields = ["=update_id", "=chat_id"]
    fields = [
        "update_id",
        "chat_id",
        "status",
        "error",
        "payload",
        "created_at",
        "processed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
