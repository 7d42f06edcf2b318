"""Staff roles as Django groups, and the permissions each role holds.

Permissions are named "app_label.codename"; the names of other apps' models are
plain strings here, so this module imports nothing from them.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts.models import StaffRole


def _all(app_label: str, *models: str) -> list[str]:
    return [
        f"{app_label}.{action}_{model}"
        for model in models
        for action in ("view", "add", "change", "delete")
    ]


def _view(app_label: str, *models: str) -> list[str]:
    return [f"{app_label}.view_{model}" for model in models]


_ACCOUNT_MODELS = (
    "organisation",
    "membership",
    "licence",
    "subscriptionperiod",
    "user",
)
_AGENT = [
    *_view("accounts", *_ACCOUNT_MODELS, "accessrequest", "invitation"),
    *_view("schedule", "weeklyhours", "calendaryear", "calendarday", "dateoverride"),
    *_view(
        "tickets", "ticket", "message", "attachment", "ticketevent", "cannedresponse"
    ),
    "tickets.change_ticket",
    "tickets.add_message",
    # Their own macros; the admin shows them no one else's
    # (tickets.admin.MacroAdmin) and shared ones to read.
    *_all("tickets", "macro"),
    *_view("tickets", "supportgroup", "tag"),
]
# Routing, triggers, escalations, shifts and absences, and the groups and
# tags they name: what supervisors and admins run the desk with.
_AUTOMATION = [
    *_all("tickets", "supportgroup", "tag"),
    *_all(
        "automation",
        "routingrule",
        "trigger",
        "escalation",
        "condition",
        "action",
        "shift",
        "absence",
    ),
    *_view("automation", "rulerun"),
]
# The knowledge base: every agent writes and submits articles; supervisors
# and admins also keep the categories, publish and archive
# (knowledge.services, at its top).
_KNOWLEDGE_WRITER = [
    *_view("knowledge", "article"),
    "knowledge.add_article",
    "knowledge.change_article",
    *_all("knowledge", "articletranslation", "articleproduct"),
    *_view("knowledge", "category", "articlerevision", "articlefeedback"),
    *_view("knowledge", "articleattachment"),
    "knowledge.add_articleattachment",
    "knowledge.delete_articleattachment",
]
_KNOWLEDGE_EDITOR = [
    *_KNOWLEDGE_WRITER,
    *_all("knowledge", "category"),
    "knowledge.delete_article",
    "knowledge.publish_article",
]
ROLE_PERMISSIONS: dict[StaffRole, list[str]] = {
    StaffRole.AGENT: [*_AGENT, *_KNOWLEDGE_WRITER],
    StaffRole.SUPERVISOR: [
        *_AGENT,
        *_all("tickets", "cannedresponse"),
        "tickets.manage_shared_macros",
        *_view("tickets", "slatarget"),
        *_view("accounts", "subscriptionreminder", "consent"),
        *_view("tickets", "satisfactionrating"),
        "tickets.view_dashboard",
        # Who signed in, changed roles, licences, tokens: the audit log.
        "audit.view_auditentry",
        # A person's data, on their request (privacy/, docs/personal-data.md).
        "privacy.export_personal_data",
        *_view("privacy", "retentionrun"),
        "schedule.change_dateoverride",
        "schedule.add_dateoverride",
        *_AUTOMATION,
        *_KNOWLEDGE_EDITOR,
    ],
    StaffRole.ADMIN: [
        *_all(
            "accounts", *_ACCOUNT_MODELS, "accessrequest", "invitation", "licenceimport"
        ),
        *_view("accounts", "subscriptionreminder", "consent"),
        *_all("schedule", "weeklyhours", "calendaryear", "calendarday", "dateoverride"),
        *_all(
            "tickets",
            "ticket",
            "message",
            "attachment",
            "satisfactionrating",
            "slatarget",
            "cannedresponse",
        ),
        *_all("tickets", "macro"),
        "tickets.manage_shared_macros",
        *_view("tickets", "ticketevent", "telegramlink", "telegramupdate"),
        # Unlinking a chat for a contact who lost their phone.
        "tickets.delete_telegramlink",
        "tickets.view_dashboard",
        "audit.view_auditentry",
        "privacy.export_personal_data",
        "privacy.erase_personal_data",
        *_view("privacy", "retentionrun"),
        # The vendor's integrations (billing, CRM): their tokens and webhooks.
        *_all("api", "integration", "apitoken"),
        *_all("webhooks", "endpoint"),
        *_view("webhooks", "delivery"),
        "webhooks.change_delivery",
        *_AUTOMATION,
        *_KNOWLEDGE_EDITOR,
    ],
}


def sync_role_permissions() -> None:
    """Give each role group exactly its permissions; run after every migrate."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
