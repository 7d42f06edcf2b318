"""`record`: the one way an audit entry is written."""

from __future__ import annotations

import ipaddress

from django.db import models
from django.http import HttpRequest

from audit.middleware import current_address
from audit.models import AuditEntry
from helpdesk.http import client_address

Target = models.Model | tuple[str, object] | None


def record(
    action: AuditEntry.Action,
    *,
    actor: models.Model | None = None,
    target: Target = None,
    request: HttpRequest | None = None,
    **data: object,
) -> AuditEntry:
    """Write one entry, in the caller's transaction: a change rolled back
    leaves no entry, as it left no change.

    `target` is a model instance or a (kind, id) pair; `data` holds ids,
    counts and field names, never a person's name, address or phone. The
    address is the request's, or that of the request being answered
    (`audit.middleware`), if any.
    """
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.model_name, target.pk
    elif target is not None:
        target_type, target_id = target
    else:
        target_type, target_id = "", ""
    address = client_address(request) if request is not None else current_address()
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk is not None else None,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        ip_address=_valid(address),
        data=data,
    )


def _valid(address: str) -> str | None:
    # A test client or a misconfigured proxy gives no address, or not one.
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
