"""The active endpoints, read by every published event (a filing publishes
two or more), kept until an endpoint, an integration or a user changes
(`webhooks.signals`, and `delivery.disable_endpoint`, which updates in
bulk): for the filing target of bench/README.md."""

from __future__ import annotations

from helpdesk.cache import VersionedCache
from webhooks.models import Endpoint

cache = VersionedCache(
    "webhooks:active-endpoints", kept_in_process=True, read_in_transactions=True
)


def active_endpoints() -> list[Endpoint]:
    """The active endpoints of active integrations and users, with their
    integrations."""
    return cache.get(
        "all",
        lambda: list(
            Endpoint.objects.filter(
                is_active=True,
                integration__is_active=True,
                integration__user__is_active=True,
            )
            .select_related("integration")
            .order_by("pk")
        ),
    )
