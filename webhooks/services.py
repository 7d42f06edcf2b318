"""Endpoints and their deliveries: every write with a rule goes through here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from api.models import Integration
from outbox.events import Event
from webhooks.endpoints import active_endpoints
from webhooks.models import ORGANISATION_EVENT_TYPES, Delivery, Endpoint, new_secret
from webhooks.targets import TargetRefused, check_target
from webhooks.tasks import send_delivery

# After a rotation the previous secret signs too, this long, so the receiver
# can take the new one without refusing a message meanwhile.
ROTATION_OVERLAP = datetime.timedelta(hours=24)


class WebhookError(Exception):
    """A webhook rule was broken; the message says which, in the user's language."""


def queue_deliveries(event: Event) -> list[Delivery]:
    """Write a delivery of the event for every active endpoint that asked for
    it and may hear of it: an organisation's integrations hear only of their
    organisation, staff integrations of everything. Listens to
    `outbox.events`, so it runs inside the publisher's transaction; each
    delivery is sent after commit (robust: with the broker down the sweeper
    sends it)."""
    chosen = [
        endpoint
        for endpoint in active_endpoints()
        if event.type in endpoint.event_types
        and endpoint.integration.organisation_id in (None, event.organisation_id)
    ]
    return [_queue(endpoint, event) for endpoint in chosen]


def queue_delivery(endpoint: Endpoint, type: str, *, key: str, data: dict) -> Delivery:
    """Send one event to one endpoint, whatever it chose to hear (an
    automation rule's "call a webhook"), after commit."""
    return _queue(
        endpoint,
        Event(type=type, organisation_id=None, key=key, make_data=lambda: data),
    )


def _queue(endpoint: Endpoint, event: Event) -> Delivery:
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_type=event.type,
        ordering_key=event.key,
        payload={
            "type": event.type,
            "timestamp": event.timestamp.isoformat(),
            "data": event.data,
        },
        created_at=event.timestamp,
        next_attempt_at=event.timestamp,
    )
    _send_after_commit(delivery.pk)
    return delivery


def _send_after_commit(delivery_id: int) -> None:
    def send_after_commit() -> None:  # named: Django logs robust failures by name
        send_delivery.delay(delivery_id)

    transaction.on_commit(send_after_commit, robust=True)


def _check(integration: Integration, url: str, event_types: Iterable[str]) -> None:
    try:
        check_target(url)
    except TargetRefused as refusal:
        raise WebhookError(str(refusal)) from refusal
    if integration.organisation_id is not None:
        foreign = set(event_types) - set(ORGANISATION_EVENT_TYPES)
        if foreign:
            raise WebhookError(
                _("An organisation's integration cannot receive %(types)s.")
                % {"types": ", ".join(sorted(foreign))}
            )


def create_endpoint(
    integration: Integration, *, url: str, event_types: Iterable[str]
) -> Endpoint:
    event_types = list(event_types)
    if not event_types:
        raise WebhookError(_("Choose at least one event."))
    _check(integration, url, event_types)
    return Endpoint.objects.create(
        integration=integration, url=url, event_types=event_types
    )


def delete_endpoint(endpoint: Endpoint) -> None:
    """Stop sending there for good; its delivery log goes with it."""
    endpoint.delete()


@transaction.atomic
def rotate_secret(
    endpoint: Endpoint, *, overlap: datetime.timedelta = ROTATION_OVERLAP
) -> Endpoint:
    """A new secret; the old one keeps signing beside it for `overlap`."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now() + overlap
    endpoint.secret = new_secret()
    endpoint.save(
        update_fields=[
            "secret",
            "previous_secret",
            "previous_secret_expires_at",
            "updated_at",
        ]
    )
    return endpoint


@transaction.atomic
def enable_endpoint(endpoint: Endpoint) -> Endpoint:
    """Send again to a disabled endpoint; what waited goes out in order."""
    _check(endpoint.integration, endpoint.url, endpoint.event_types)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.is_active = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save(
        update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"]
    )
    waiting = Delivery.objects.pending().filter(endpoint=endpoint)
    waiting.update(next_attempt_at=now())
    first = waiting.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        _send_after_commit(first)
    return endpoint


@transaction.atomic
def redeliver(delivery: Delivery) -> None:
    """Send once more, now, with the same `webhook-id` (a delivered or given-up
    one alike) and a fresh retry schedule."""
    Delivery.objects.filter(pk=delivery.pk).update(
        sent_at=None,
        given_up_at=None,
        claimed_at=None,
        attempts=0,
        next_attempt_at=now(),
    )
    _send_after_commit(delivery.pk)
