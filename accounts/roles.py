"""Staff roles as Django groups, and the permissions each role holds."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from accounts.models import StaffRole

# Codenames per role; an admin additionally manages licences and accounts.
_VIEW_ACCOUNTS = [
    "view_organisation",
    "view_membership",
    "view_licence",
    "view_subscriptionperiod",
    "view_user",
]
ROLE_PERMISSIONS: dict[StaffRole, list[str]] = {
    StaffRole.AGENT: _VIEW_ACCOUNTS,
    StaffRole.SUPERVISOR: _VIEW_ACCOUNTS,
    StaffRole.ADMIN: [
        f"{action}_{model}"
        for model in [
            "organisation",
            "membership",
            "licence",
            "subscriptionperiod",
            "user",
        ]
        for action in ["view", "add", "change", "delete"]
    ],
}


def sync_role_permissions(**kwargs) -> None:
    """Give each role group its permissions; run after every migrate."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.add(*Permission.objects.filter(codename__in=codenames))
