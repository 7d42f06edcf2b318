from __future__ import annotations

import datetime
from functools import partial
from uuid import UUID

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.licence_import import (
    COLUMNS,
    decode,
    describe,
    describe_failure,
    progress_key,
)
from accounts.models import (
    AccessRequest,
    AccountEvent,
    Consent,
    Invitation,
    Licence,
    LicenceImport,
    Membership,
    Organisation,
    SubscriptionPeriod,
    SubscriptionReminder,
    User,
)
from accounts.services import (
    AccountsError,
    deactivate_account,
    reactivate_account,
    register_licence,
    renew_subscription,
    revoke_invitation,
)
from accounts.tasks import apply_licence_import, preview_licence_import
from accounts.validators import normalise_licence_number
from audit.models import AuditEntry
from audit.services import record
from helpdesk.admin_names import ModelAdmin, NamedInCases, RecordAdmin

# What makes a user staff, and of which role, on the user's change form.
ROLE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class MembershipInline(admin.TabularInline):
    """A contact's role; a contact joins through an invitation
    (`accept_invitation`) and leaves through `remove_contact`, which closes the
    account and records it, so no contact moves between organisations here."""

    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["user", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AccountEventInline(admin.TabularInline):
    model = AccountEvent
    fk_name = "user"
    extra = 0
    fields = ["created_at", "kind", "by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ConsentInline(admin.TabularInline):
    """The consents a person gave, as recorded: never edited."""

    model = Consent
    fk_name = "user"
    extra = 0
    fields = ["created_at", "purpose", "version", "ip_address"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(RecordAdmin):
    list_display = ["created_at", "purpose", "version", "user", "access_request"]
    list_filter = ["purpose", "version"]
    search_fields = ["user__email", "access_request__email"]
    list_select_related = ["user", "access_request"]
    date_hierarchy = "created_at"


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ModelAdmin):
    """The second factors, without their secrets. allauth's own admin shows
    each one's data (a TOTP key, the recovery codes' seed), stored as they
    are: whoever could view it could make another person's codes unnoticed.
    Read only; deleting one lets someone who lost their phone set up a new
    one."""

    list_display = ["person", "kind", "created", "last_used"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    fields = readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("user"), ordering="user__email")
    def person(self, authenticator: Authenticator) -> User:
        return authenticator.user

    @admin.display(description=_("kind"), ordering="type")
    def kind(self, authenticator: Authenticator) -> str:
        return authenticator.get_type_display()

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, authenticator: Authenticator):
        return authenticator.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, authenticator: Authenticator):
        return authenticator.last_used_at


@admin.register(User)
class UserAdmin(NamedInCases, DjangoUserAdmin):
    accusative = pgettext_lazy("accusative", "user")
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "created_at"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name", "phone"]
    readonly_fields = ["created_at", "last_login"]
    inlines = [AccountEventInline, ConsentInline]
    actions = ["deactivate", "reactivate"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: object = None
    ) -> list[str]:
        # Only a superuser hands out superuser status or permissions one by one;
        # an administrator manages staff through the role groups. An account
        # is opened and closed by the actions, which record who did it.
        fields = [*super().get_readonly_fields(request, obj)]
        if obj is not None:
            fields.append("is_active")
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def _each(self, request: HttpRequest, queryset: QuerySet, service) -> None:
        done = 0
        for user in queryset:
            try:
                service(user, by=request.user)
            except AccountsError as error:
                self.message_user(request, f"{user}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d account changed.", "%(count)d accounts changed.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )

    def save_related(
        self, request: HttpRequest, form: forms.Form, formsets, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # Groups are the roles (accounts.roles); they are saved with the other
        # many-to-many fields, after the user.
        changed = [name for name in ROLE_FIELDS if name in form.changed_data]
        if change and changed:
            user = form.instance
            record(
                AuditEntry.Action.ROLE_CHANGED,
                actor=request.user,
                target=user,
                fields=changed,
                is_staff=user.is_staff,
                is_superuser=user.is_superuser,
                groups=sorted(user.groups.values_list("name", flat=True)),
            )

    @admin.action(description=_("Deactivate the selected accounts"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset.filter(is_active=True), deactivate_account)

    @admin.action(description=_("Reactivate the selected accounts"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset.filter(is_active=False), reactivate_account)

    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Contact details"),
            {
                "fields": [
                    "full_name",
                    "position",
                    "phone",
                    "mobile_phone",
                    "language",
                ]
            },
        ),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Dates"), {"fields": ["last_login", "created_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "password1", "password2"],
            },
        ),
    ]


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 0
    fields = ["number", "product", "edition", "purchased_on"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ModelAdmin):
    accusative = pgettext_lazy("accusative", "organisation")
    list_display = ["name", "tax_id", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "tax_id"]
    inlines = [MembershipInline, LicenceInline]

    def save_formset(
        self, request: HttpRequest, form: forms.Form, formset, change: bool
    ) -> None:
        # A contact's role is changed here only: no service for it.
        if formset.model is Membership:
            for inline in formset.forms:
                if "role" in inline.changed_data and inline.instance.pk:
                    record(
                        AuditEntry.Action.ROLE_CHANGED,
                        actor=request.user,
                        target=inline.instance.user,
                        organisation=inline.instance.organisation_id,
                        old=inline.initial.get("role", ""),
                        new=inline.instance.role,
                    )
        super().save_formset(request, form, formset, change)


class SubscriptionPeriodInline(admin.TabularInline):
    model = SubscriptionPeriod
    extra = 0
    fields = ["kind", "starts_on", "ends_on", "created_at"]
    # Periods are history, written by `register_licence` (the year that comes
    # with a purchase) and `renew_subscription` (the "renew" action).
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SupportFilter(admin.SimpleListFilter):
    title = _("support")
    parameter_name = "support"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        return [
            ("active", _("Active")),
            ("expiring", _("Expiring within 30 days")),
            ("expired", _("Expired")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = localdate()
        covered_today = Exists(
            SubscriptionPeriod.objects.filter(
                licence=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today
            )
        )
        if self.value() == "active":
            return queryset.filter(covered_today)
        if self.value() == "expiring":
            return queryset.filter(
                covered_today, support_until__lte=today + datetime.timedelta(days=30)
            )
        if self.value() == "expired":
            return queryset.exclude(covered_today)
        return queryset


IMPORT_ROWS_PER_PAGE = 100
IMPORT_ACTIONS = [
    ("create", _("New licences")),
    ("change", _("Changed")),
    ("unchanged", _("Unchanged")),
    ("invalid", _("Invalid")),
]


class LicenceImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class RenewForm(forms.Form):
    years = forms.IntegerField(label=_("Years"), min_value=1, max_value=10, initial=1)


class LicenceForm(forms.ModelForm):
    def clean_number(self) -> str:
        # As `register_licence` stores it, so that a duplicate is found here.
        return normalise_licence_number(self.cleaned_data["number"])


@admin.register(Licence)
class LicenceAdmin(ModelAdmin):
    accusative = pgettext_lazy("accusative", "licence")
    list_display = [
        "number",
        "product",
        "edition",
        "organisation",
        "purchased_on",
        "support_until",
    ]
    list_filter = [SupportFilter, "product"]
    search_fields = ["number", "organisation__name", "organisation__tax_id", "product"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    form = LicenceForm
    inlines = [SubscriptionPeriodInline]
    actions = ["renew"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: object = None
    ) -> list[str]:
        # What identifies a licence stays as registered, as the import keeps
        # it: tickets are filed under its number and its organisation, and its
        # included year of support starts on the purchase date.
        if obj is None:
            return ["created_at"]
        return ["number", "organisation", "purchased_on", "created_at"]

    def save_model(
        self, request: HttpRequest, obj: Licence, form: forms.Form, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            if form.changed_data:
                record(
                    AuditEntry.Action.LICENCE_CHANGED,
                    actor=request.user,
                    target=obj,
                    fields=form.changed_data,
                )
            return
        # A new licence comes with its year of support.
        licence = register_licence(
            obj.organisation,
            number=obj.number,
            product=obj.product,
            purchased_on=obj.purchased_on,
            edition=obj.edition,
            seats=obj.seats,
            scope=obj.scope,
            by=request.user,
        )
        obj.pk = licence.pk
        obj._state.adding = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(support_until=Max("subscription_periods__ends_on"))
        )

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_start), name="accounts_licence_import"),
            path(
                "import/<uuid:code>/",
                view(self.import_status),
                name="accounts_licence_import_status",
            ),
            path(
                "import/<uuid:code>/progress/",
                view(self.import_progress),
                name="accounts_licence_import_progress",
            ),
            path(
                "import/<uuid:code>/apply/",
                view(require_POST(self.import_apply)),
                name="accounts_licence_import_apply",
            ),
            *super().get_urls(),
        ]

    def _import_for(self, request: HttpRequest, code: UUID) -> LicenceImport:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return get_object_or_404(LicenceImport, code=code)

    def _context(self, request: HttpRequest, **extra: object) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "columns": COLUMNS,
            **extra,
        }

    def import_start(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = LicenceImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            licence_import = LicenceImport.objects.create(
                file_name=upload.name[:255],
                content=decode(upload.read()),
                created_by=request.user,
            )
            transaction.on_commit(
                partial(preview_licence_import.delay, licence_import.pk)
            )
            return redirect("admin:accounts_licence_import_status", licence_import.code)
        return TemplateResponse(
            request,
            "admin/accounts/licence/import_form.html",
            self._context(request, title=_("Import licences from CSV"), form=form),
        )

    def import_status(self, request: HttpRequest, code: UUID) -> HttpResponse:
        licence_import = self._import_for(request, code)
        action = request.GET.get("action", "")
        rows = [
            row for row in licence_import.rows if not action or row["action"] == action
        ]
        page = Paginator(rows, IMPORT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = [
            {
                **row,
                "messages": [describe(c, p) for c, p in row["errors"]],
                "changes": sorted(row.get("changes", {}).items()),
            }
            for row in page.object_list
        ]
        return TemplateResponse(
            request,
            "admin/accounts/licence/import_status.html",
            self._context(
                request,
                title=_("Import of %(file)s") % {"file": licence_import.file_name},
                licence_import=licence_import,
                failure=describe_failure(licence_import),
                page=page,
                action=action,
                actions=IMPORT_ACTIONS,
                working=licence_import.status
                in {LicenceImport.Status.PREVIEWING, LicenceImport.Status.IMPORTING},
            ),
        )

    def import_progress(self, request: HttpRequest, code: UUID) -> JsonResponse:
        licence_import = self._import_for(request, code)
        progress = cache.get(progress_key(licence_import)) or {"done": 0, "total": 0}
        return JsonResponse({"status": licence_import.status, **progress})

    def import_apply(self, request: HttpRequest, code: UUID) -> HttpResponse:
        licence_import = self._import_for(request, code)
        started = LicenceImport.objects.filter(
            pk=licence_import.pk,
            status=LicenceImport.Status.PREVIEWED,
            summary__invalid=0,
        ).update(status=LicenceImport.Status.IMPORTING)
        if started:
            transaction.on_commit(
                partial(apply_licence_import.delay, licence_import.pk)
            )
        else:
            messages.error(
                request, _("Only a checked file without invalid rows can be imported.")
            )
        return redirect("admin:accounts_licence_import_status", licence_import.code)

    @admin.display(description=_("Support until"), ordering="support_until")
    def support_until(self, licence: Licence) -> datetime.date | None:
        return licence.support_until

    @admin.action(
        description=_("Renew the subscription for N years"), permissions=["change"]
    )
    def renew(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = RenewForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            years = form.cleaned_data["years"]
            for licence in queryset:
                renew_subscription(licence, years=years, by=request.user)
            self.message_user(
                request,
                ngettext(
                    "Renewed %(count)d licence for %(years)d year(s).",
                    "Renewed %(count)d licences for %(years)d year(s).",
                    len(queryset),
                )
                % {"count": len(queryset), "years": years},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/accounts/licence/renew.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Renew subscriptions"),
                "licences": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(AccessRequest)
class AccessRequestAdmin(ModelAdmin):
    list_display = [
        "created_at",
        "organisation_name",
        "tax_id",
        "full_name",
        "email",
        "status",
    ]
    list_filter = ["status"]
    search_fields = [
        "organisation_name",
        "tax_id",
        "full_name",
        "email",
        "licence_number",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Visitors ask on the public page (`request_access`), which checks the
        # address and the licence and answers them.
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # What the visitor sent and what staff decided, a record: staff approve
        # or decline on the staff page ("View on site"), which calls
        # `approve_access_request` and `decline_access_request`.
        return False

    def view_on_site(self, obj: AccessRequest) -> str:
        return reverse("accounts:access_request_detail", args=[obj.code])


@admin.register(Invitation)
class InvitationAdmin(ModelAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    search_fields = ["email", "organisation__name"]
    exclude = ["token"]
    # An invitation is sent (`invite_contact`) for one address into one
    # organisation with one role, and used once (`accept_invitation`); its
    # name, phone and language fill the account in, and it may be given longer.
    readonly_fields = [
        "email",
        "organisation",
        "role",
        "invited_by",
        "access_request",
        "created_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Managers invite on their contacts page and staff approve access
        # requests: both send the link.
        return False

    @admin.action(
        description=_("Revoke the selected invitations"), permissions=["change"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = 0
        for invitation in queryset.filter(revoked_at=None):
            try:
                revoke_invitation(invitation)
            except AccountsError as error:
                self.message_user(request, f"{invitation}: {error}", messages.ERROR)
            else:
                revoked += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d invitation revoked.",
                "%(count)d invitations revoked.",
                revoked,
            )
            % {"count": revoked},
            messages.SUCCESS if revoked else messages.WARNING,
        )


@admin.register(SubscriptionReminder)
class SubscriptionReminderAdmin(ModelAdmin):
    list_display = ["licence", "kind", "support_ends_on", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["licence__number"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
