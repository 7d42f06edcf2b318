from __future__ import annotations

from django.contrib import admin

from tickets.models import (
    Attachment,
    CannedResponse,
    Message,
    SatisfactionRating,
    SlaTarget,
    SlaWarning,
    TelegramLink,
    TelegramUpdate,
    Ticket,
    TicketEvent,
)


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    fields = ["kind", "author", "body", "channel", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["author"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "old_value", "new_value", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "subject",
        "organisation",
        "status",
        "priority",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "priority", "category", "channel"]
    search_fields = [
        "reference",
        "subject",
        "organisation__name",
        "licence__number",
        "contact__email",
    ]
    list_select_related = ["organisation", "assignee"]
    readonly_fields = [
        "reference",
        "created_at",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "sla_due_at",
        "first_response_support_seconds",
        "first_response_met",
        "resolution_met",
        # Merging moves messages and records it on both tickets: only
        # services.merge_ticket does it.
        "merged_into",
    ]
    autocomplete_fields = ["organisation", "licence", "contact", "assignee", "cc"]
    inlines = [MessageInline, TicketEventInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
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


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ["ticket", "score", "created_at"]
    list_filter = ["score"]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = [
        "priority",
        "first_response_hours",
        "resolution_hours",
        "updated_at",
    ]
    # Deadlines already stored follow new targets after `manage.py recompute_sla`.
    readonly_fields = ["updated_at"]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["title", "body_ru", "body_en"]


@admin.register(SlaWarning)
class SlaWarningAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "due_at", "created_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TelegramLink)
class TelegramLinkAdmin(admin.ModelAdmin):
    """Linked chats; deleting one unlinks it (a contact who lost their phone)."""

    list_display = ["user", "telegram_name", "chat_id", "linked_at"]
    search_fields = ["user__email", "user__full_name", "telegram_name"]
    list_select_related = ["user"]
    fields = ["user", "telegram_name", "chat_id", "linked_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TelegramUpdate)
class TelegramUpdateAdmin(admin.ModelAdmin):
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
