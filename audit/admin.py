"""The audit log in the admin: read by whoever holds `audit.view_auditentry`
(supervisors, administrators), changed by no one, exported as CSV with the
list's filters and search."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from audit.models import AuditEntry
from audit.services import record
from helpdesk.admin_names import RecordAdmin
from helpdesk.csv_export import streamed_csv


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    accusative = pgettext_lazy("accusative", "audit entry")
    list_display = [
        "created_at",
        "action",
        "actor",
        "object",
        "ip_address",
        "via",
    ]
    list_filter = ["action"]
    date_hierarchy = "created_at"
    search_fields = ["actor__full_name", "actor__email", "=target_id", "ip_address"]
    list_select_related = ["actor"]
    readonly_fields = [
        "created_at",
        "action",
        "actor",
        "target_type",
        "target_id",
        "ip_address",
        "via",
        "data",
    ]
    fields = readonly_fields
    change_list_template = "admin/audit/auditentry/change_list.html"

    @admin.display(description=gettext_lazy("object"))
    def object(self, entry: AuditEntry) -> str:
        return entry.target

    def get_urls(self) -> list:
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="audit_auditentry_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as it is filtered and searched, as CSV; the export is itself
        recorded, with its filters but not its search words (which may be a
        person's name or address)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect("admin:audit_auditentry_changelist")
        entries = changelist.get_queryset(request)
        record(
            AuditEntry.Action.EXPORT,
            actor=request.user,
            target=("auditentry", ""),
            request=request,
            filters={k: v for k, v in request.GET.items() if k != "q"},
            searched=bool(request.GET.get("q")),
        )
        stamp = localtime(now()).strftime("%Y%m%d-%H%M")
        return streamed_csv(f"audit-{stamp}.csv", self._rows(entries))

    def _rows(self, entries) -> Iterator[list[str]]:
        yield [
            _("When"),
            _("Action"),
            _("Action code"),
            _("Who (id)"),
            _("Who"),
            _("Object type"),
            _("Object id"),
            _("IP address"),
            _("Through"),
            _("Details"),
        ]
        for entry in entries.iterator(chunk_size=2000):
            actor = entry.actor
            yield [
                localtime(entry.created_at).isoformat(),
                entry.get_action_display(),
                entry.action,
                entry.actor_id,
                actor.get_full_name() if actor is not None else "",
                entry.target_type,
                entry.target_id,
                entry.ip_address,
                entry.via,
                json.dumps(entry.data, ensure_ascii=False, sort_keys=True),
            ]
