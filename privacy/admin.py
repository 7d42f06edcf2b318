"""Export and erasure on the admin's user pages (actions, and buttons on a
user's page), and the record of the retention runs."""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.admin import UserAdmin
from accounts.models import User
from audit import services as audit
from audit.models import AuditEntry
from helpdesk.admin_names import RecordAdmin
from privacy.export import build_export, export_filename
from privacy.forms import EraseForm
from privacy.models import Erasure, RetentionRun
from privacy.services import PrivacyError, request_erasure
from privacy.tasks import erase_person

EXPORT = "privacy.export_personal_data"
ERASE = "privacy.erase_personal_data"


class PrivacyUserAdmin(UserAdmin):
    """accounts' user admin, with a person's data exported and erased:
    `privacy` stands on accounts, which may not know it."""

    change_form_template = "admin/privacy/user/change_form.html"
    actions = [*UserAdmin.actions, "export_personal_data", "erase_personal_data"]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT)

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ERASE)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/export/",
                view(require_safe(self.export_view)),
                name="privacy_export",
            ),
            path("<int:pk>/erase/", view(self.erase_view), name="privacy_erase"),
            *super().get_urls(),
        ]

    def _one(self, request: HttpRequest, queryset: QuerySet) -> User | None:
        if queryset.count() != 1:
            self.message_user(
                request,
                _("Choose one person at a time: each is a request of its own."),
                messages.WARNING,
            )
            return None
        return queryset.get()

    @admin.action(
        description=gettext_lazy("Export the person's data (ZIP)"),
        permissions=["export"],
    )
    def export_personal_data(self, request: HttpRequest, queryset: QuerySet):
        user = self._one(request, queryset)
        if user is not None:
            return redirect("admin:privacy_export", user.pk)
        return None

    @admin.action(
        description=gettext_lazy("Erase the person's data…"),
        permissions=["erase"],
    )
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet):
        user = self._one(request, queryset)
        if user is not None:
            return redirect("admin:privacy_erase", user.pk)
        return None

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_export_permission(request):
            raise PermissionDenied
        user = get_object_or_404(User, pk=pk)
        audit.record(
            AuditEntry.Action.EXPORT,
            actor=request.user,
            target=user,
            request=request,
            export="personal_data",
        )
        return FileResponse(
            build_export(user),
            as_attachment=True,
            filename=export_filename(user),
            content_type="application/zip",
        )

    def erase_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_erase_permission(request):
            raise PermissionDenied
        user = get_object_or_404(User, pk=pk)
        form = EraseForm(
            request.POST if request.method == "POST" else None, expected=user.email
        )
        if request.method == "POST" and form.is_valid():
            try:
                erasure = request_erasure(
                    user,
                    by=request.user,
                    remove_attachments=form.cleaned_data["remove_attachments"],
                )
            except PrivacyError as error:
                form.add_error(None, str(error))
            else:
                # Robust: a broker that is down must not turn the request,
                # already committed, into an error page; `erase_pending`
                # takes the erasure up later.
                transaction.on_commit(
                    partial(erase_person.delay, erasure.pk), robust=True
                )
                # With eager tasks (`make run`) it is done already.
                erasure.refresh_from_db()
                self.message_user(
                    request,
                    _("The person's data has been erased; their tickets stay.")
                    if erasure.status == Erasure.Status.DONE
                    else _(
                        "The account is closed; the person's data is being erased. "
                        "This page says when it is done."
                    ),
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_user_change", user.pk)
        return TemplateResponse(
            request,
            "admin/privacy/user/erase.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Erase the data of %(name)s") % {"name": user},
                "person": user,
                "tickets": user.tickets.count(),
                "erasure": user.erasures.first(),
                "form": form,
                "change_url": reverse("admin:accounts_user_change", args=[user.pk]),
            },
        )

    def change_view(self, request: HttpRequest, object_id: str, *args, **kwargs):
        extra = kwargs.pop("extra_context", None) or {}
        extra.update(
            may_export=self.has_export_permission(request),
            may_erase=self.has_erase_permission(request),
            erasure=Erasure.objects.filter(user_id=object_id).first()
            if object_id.isdigit()
            else None,
        )
        return super().change_view(
            request, object_id, *args, extra_context=extra, **kwargs
        )


admin.site.unregister(User)
admin.site.register(User, PrivacyUserAdmin)


@admin.register(RetentionRun)
class RetentionRunAdmin(RecordAdmin):
    list_display = [
        "started_at",
        "attachments_days",
        "attachments_removed",
        "raw_email_days",
        "raw_emails_removed",
        "megabytes_freed",
    ]
    date_hierarchy = "started_at"

    @admin.display(description=gettext_lazy("MB freed"))
    def megabytes_freed(self, run: RetentionRun) -> str:
        return f"{run.bytes_freed / 1024 / 1024:.1f}"
