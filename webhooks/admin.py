"""Webhooks in the admin: endpoints (rotate the secret, enable again) and the
delivery log, read-only, with a "redeliver" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.admin_names import ModelAdmin
from webhooks import services
from webhooks.forms import EndpointAdminForm
from webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(ModelAdmin):
    form = EndpointAdminForm
    list_display = ["url", "integration", "is_active", "disabled_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "integration__name"]
    autocomplete_fields = ["integration"]
    readonly_fields = [
        "secret",
        "previous_secret_expires_at",
        "is_active",
        "disabled_at",
        "disabled_reason",
        "created_at",
        "delivery_log",
    ]
    actions = ["rotate", "enable"]

    @admin.display(description=_("delivery log"))
    def delivery_log(self, endpoint: Endpoint) -> str:
        if endpoint.pk is None:
            return "—"
        url = reverse("admin:webhooks_delivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">{}</a>',
            url,
            endpoint.pk,
            _("Deliveries to this endpoint"),
        )

    @admin.action(description=_("Rotate the secret (the old one signs for a day)"))
    def rotate(self, request: HttpRequest, queryset) -> None:
        endpoints = list(queryset)
        for endpoint in endpoints:
            services.rotate_secret(endpoint)
        messages.success(
            request,
            ngettext(
                "%(count)d secret rotated: the previous one signs beside it for a day.",
                "%(count)d secrets rotated: the previous ones sign beside them for a day.",
                len(endpoints),
            )
            % {"count": len(endpoints)},
        )

    @admin.action(description=_("Enable the selected endpoints again"))
    def enable(self, request: HttpRequest, queryset) -> None:
        for endpoint in queryset.filter(is_active=False):
            try:
                services.enable_endpoint(endpoint)
            except services.WebhookError as error:
                messages.error(request, f"{endpoint}: {error}")
            else:
                messages.success(request, _("%(url)s is enabled.") % {"url": endpoint})


@admin.register(Delivery)
class DeliveryAdmin(ModelAdmin):
    list_display = [
        "message_id",
        "event_type",
        "endpoint",
        "ordering_key",
        "created_at",
        "attempts",
        "last_attempt_at",
        "response_status",
        "sent_at",
        "given_up_at",
        "next_attempt_at",
    ]
    list_filter = ["event_type", "endpoint"]
    search_fields = ["message_id", "ordering_key"]
    list_select_related = ["endpoint"]
    readonly_fields = [
        "endpoint",
        "message_id",
        "event_type",
        "ordering_key",
        "payload",
        "created_at",
        "attempts",
        "last_attempt_at",
        "request_headers",
        "response_status",
        "response_body",
        "duration_ms",
        "last_error",
        "claimed_at",
        "sent_at",
        "given_up_at",
        "next_attempt_at",
    ]
    fields = readonly_fields
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the events they tell of

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the log stays

    @admin.action(description=_("Redeliver the selected deliveries now"))
    def redeliver(self, request: HttpRequest, queryset) -> None:
        deliveries = list(queryset)
        for delivery in deliveries:
            services.redeliver(delivery)
        messages.success(
            request,
            ngettext(
                "%(count)d delivery will be sent again, with the same webhook-id.",
                "%(count)d deliveries will be sent again, with the same webhook-ids.",
                len(deliveries),
            )
            % {"count": len(deliveries)},
        )
