from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Licence, Membership, Organisation, SubscriptionPeriod, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "created_at"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name", "phone"]
    readonly_fields = ["created_at", "last_login"]
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
                    "timezone",
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_id", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "tax_id"]
    inlines = [MembershipInline]


class SubscriptionPeriodInline(admin.TabularInline):
    model = SubscriptionPeriod
    extra = 0


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["number", "product", "edition", "organisation", "purchased_on"]
    search_fields = ["number", "organisation__name", "organisation__tax_id", "product"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [SubscriptionPeriodInline]
