"""Integrations in the admin: staff make the vendor's integrations and
their tokens here; a token's text is shown once, on the page after it is
made, and can then only be revoked."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.forms import TokenForm
from api.models import ApiToken, Integration
from api.services import revoke_token
from helpdesk.admin_names import ModelAdmin


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    fields = [
        "__str__",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_by",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # made by "Issue a token", which shows it once


@admin.register(Integration)
class IntegrationAdmin(ModelAdmin):
    list_display = ["name", "organisation", "user", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "organisation__name", "organisation__tax_id"]
    autocomplete_fields = ["organisation", "user"]
    inlines = [ApiTokenInline]
    change_form_template = "admin/api/integration/change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:pk>/issue-token/",
                self.admin_site.admin_view(self.issue_token_view),
                name="api_integration_issue_token",
            ),
            *super().get_urls(),
        ]

    def issue_token_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        integration = get_object_or_404(Integration, pk=pk)
        if not self.has_change_permission(request, integration):
            raise PermissionDenied
        form = TokenForm(
            request.POST or None,
            organisation_only=integration.organisation_id is not None,
        )
        text = form.issue(integration, by=request.user) if form.is_bound else ""
        return TemplateResponse(
            request,
            "admin/api/integration/issue_token.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": integration,
                "title": _("Issue a token for %(name)s") % {"name": integration.name},
                "form": form,
                "token_text": text,
                "back_url": reverse(
                    "admin:api_integration_change", args=[integration.pk]
                ),
            },
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    list_display = [
        "__str__",
        "integration",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["integration"]
    readonly_fields = [
        "integration",
        "prefix",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    ]
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made from an integration's page, shown once

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        tokens = list(queryset)
        for token in tokens:
            revoke_token(token, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d token revoked: it stops working at once.",
                "%(count)d tokens revoked: they stop working at once.",
                len(tokens),
            )
            % {"count": len(tokens)},
        )
