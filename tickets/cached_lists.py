"""Short lists that staff pages read on every request and that rarely change:
active staff, SLA targets, active canned responses, each agent's saved queue
filters and macros, the groups. Each is cached until a row behind it changes (`tickets.signals`
forgets it), which saves the queue two queries and the staff ticket page three
(bench/README.md).

Services read the SLA targets from the database: they may run in the same
transaction as a change to them, before the cache learns of it.
"""

from __future__ import annotations

from accounts.models import User
from helpdesk.cache import VersionedCache
from tickets.models import CannedResponse, Macro, SavedFilter, SlaTarget, SupportGroup

staff = VersionedCache("tickets:staff", kept_in_process=True)
sla_targets = VersionedCache("tickets:sla-targets", kept_in_process=True)
canned_responses = VersionedCache("tickets:canned-responses", kept_in_process=True)
# One version for every agent's: filters are saved a few times a week.
saved_filters = VersionedCache("tickets:saved-filters", kept_in_process=True)
# Likewise one version for every agent's macros and the shared ones.
macros = VersionedCache("tickets:macros", kept_in_process=True)
# The groups and who is in each: the queue's filter and "My groups".
groups = VersionedCache("tickets:groups", kept_in_process=True)


def staff_by_pk() -> dict[int, User]:
    """Active staff by name, with the columns pages show of an assignee."""
    return staff.get(
        "by-pk",
        lambda: {
            user.pk: user
            for user in User.objects.active_staff()
            .order_by("full_name")
            .only("full_name", "email", "language")
        },
    )


def staff_choices() -> list[tuple[str, str]]:
    """(pk, name) of active staff, by name, for the assignee lists."""
    return staff.get(
        "choices",
        lambda: [
            (str(pk), user.full_name or user.email)
            for pk, user in staff_by_pk().items()
        ],
    )


def sla_targets_by_priority() -> dict[str, SlaTarget]:
    return sla_targets.get("by-priority", SlaTarget.objects.by_priority)


def active_canned_responses() -> list[CannedResponse]:
    return canned_responses.get(
        "active", lambda: list(CannedResponse.objects.filter(is_active=True))
    )


def saved_filters_of(user: User) -> list[SavedFilter]:
    return saved_filters.get(
        str(user.pk), lambda: list(SavedFilter.objects.filter(owner=user))
    )


def macros_for(user: User) -> list[Macro]:
    """The active macros the user may apply: shared ones and their own."""
    return macros.get(str(user.pk), lambda: list(Macro.objects.usable_by(user)))


def group_choices() -> list[tuple[str, str]]:
    """(pk, name) of the active groups, by name."""
    return groups.get(
        "choices",
        lambda: [
            (str(pk), name)
            for pk, name in SupportGroup.objects.filter(is_active=True).values_list(
                "pk", "name"
            )
        ],
    )


def group_ids_of(user: User) -> list[int]:
    """The active groups the agent is a member of."""
    return groups.get(
        f"of:{user.pk}",
        lambda: list(SupportGroup.objects.of(user).values_list("pk", flat=True)),
    )
