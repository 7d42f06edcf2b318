"""Webhook endpoints of integrations, and their deliveries (outbox rows).

An endpoint signs each delivery as the Standard Webhooks specification says,
with its secret (`whsec_` + base64 of 24 random bytes). When the secret is
rotated the old one keeps signing beside the new one until
`previous_secret_expires_at`, so the receiver can switch without losing a
message.
"""

from __future__ import annotations

import base64
import datetime
import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from api.models import Integration
from outbox.models import OutboxQuerySet, OutboxRow

SECRET_START = "whsec_"


class EventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("Ticket filed")
    TICKET_MESSAGE_ADDED = "ticket.message_added", _("Public message added")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    TICKET_ASSIGNED = "ticket.assigned", _("Ticket assigned")
    TICKET_SLA_WARNING = "ticket.sla_warning", _("SLA deadline near")
    TICKET_SLA_BREACHED = "ticket.sla_breached", _("SLA deadline passed")
    TICKET_RATED = "ticket.rated", _("Ticket rated")
    TICKET_TAGS_CHANGED = "ticket.tags_changed", _("Ticket tags changed")
    LICENCE_EXPIRING = "licence.expiring", _("Licence support expiring")
    LICENCE_EXPIRED = "licence.expired", _("Licence support ended")
    LICENCE_RENEWED = "licence.renewed", _("Licence support renewed")
    ACCESS_REQUEST_CREATED = "access_request.created", _("Access request made")
    # Sent only by an automation rule's "call a webhook", to the endpoint it names.
    AUTOMATION_RULE_MATCHED = "automation.rule_matched", _("Automation rule matched")


# What an organisation's integration may hear of: access requests are the
# vendor's, and tags are support's own labels.
ORGANISATION_EVENT_TYPES = [
    t.value
    for t in EventType
    if not t.value.startswith(("access_request", "automation"))
    and t != EventType.TICKET_TAGS_CHANGED
]


def new_secret() -> str:
    return SECRET_START + base64.b64encode(secrets.token_bytes(24)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Endpoint(models.Model):
    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=100, default=new_secret)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        """The events it hears of, as people name them."""
        return [
            str(EventType(t).label) if t in EventType.values else t
            for t in self.event_types
        ]

    def signing_secrets(self, at: datetime.datetime | None = None) -> list[str]:
        """The secrets that sign now: the current one, and the previous one
        during the overlap after a rotation."""
        at = at or now()
        found = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at is not None
            and self.previous_secret_expires_at > at
        ):
            found.append(self.previous_secret)
        return found


class DeliveryQuerySet(OutboxQuerySet):
    def pending(self) -> DeliveryQuerySet:
        """Neither delivered nor given up."""
        return self.filter(sent_at=None, given_up_at=None)

    def due(self, at: datetime.datetime | None = None) -> DeliveryQuerySet:
        """Pending rows of active endpoints whose next attempt has come."""
        return self.pending().filter(
            endpoint__is_active=True,
            endpoint__integration__is_active=True,
            next_attempt_at__lte=at or now(),
        )


class Delivery(OutboxRow):
    """One event for one endpoint: written with the change, sent after commit,
    retried on a schedule, given up after about a day."""

    endpoint = models.ForeignKey(
        Endpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    message_id = models.CharField(
        _("message id"), max_length=40, unique=True, default=new_message_id
    )
    event_type = models.CharField(_("event"), max_length=40, choices=EventType)
    # Deliveries with the same key (a ticket's reference) go out in order.
    ordering_key = models.CharField(_("ordering key"), max_length=100, blank=True)
    payload = models.JSONField(_("payload"))
    next_attempt_at = models.DateTimeField(_("next attempt"), default=now)
    given_up_at = models.DateTimeField(_("given up"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    request_headers = models.JSONField(_("request headers"), default=dict)
    response_status = models.PositiveSmallIntegerField(
        _("response code"), null=True, blank=True
    )
    response_body = models.TextField(_("response (start)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("time, ms"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["pk"]
        indexes = [
            # The sweeper (`due()`) and the order check (`blocked()`): pending rows.
            models.Index(
                fields=["endpoint", "ordering_key", "id"],
                condition=Q(sent_at=None, given_up_at=None),
                name="webhook_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.event_type}"
