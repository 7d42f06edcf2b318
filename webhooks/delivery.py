"""Sending webhook deliveries: once each, in order per ticket, retried for a day.

1. `deliver()` sends one due delivery unless an earlier one with the same
   endpoint and ordering key is still pending (so a receiver sees a ticket's
   events in the order they happened), after claiming it
   (`OutboxQuerySet.claim`): a task that runs twice, or the sweeper beside
   it, finds nothing to claim.
2. A 2xx answer marks it sent, and the next pending delivery of the same key
   follows at once (`deliver_in_order`). Any other answer, a timeout or a
   refused address releases the claim with the next attempt on the Standard
   Webhooks schedule (`BACKOFF`); after the last the delivery is given up,
   the endpoint disabled and the integration's user told by e-mail.
3. `send_due()` (beat, every minute) sends what is due: retries, rows whose
   task was lost, and rows of a worker that died mid-send once its claim is
   older than `STALE_CLAIM`.

A worker that dies after the receiver answered but before the row is marked
sent leaves a claim that goes stale, and the delivery is sent again with the
same `webhook-id`, which receivers use to drop duplicates: at least once.
"""

from __future__ import annotations

import datetime
import json
import time

import urllib3
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.emails import queue_templated_email
from webhooks import endpoints, signing
from webhooks.models import Delivery, Endpoint
from webhooks.targets import Target, TargetRefused, check_target

# After the first attempt fails, the next ones wait this long (the Standard
# Webhooks schedule, about a day in all); when the last fails, it is given up.
BACKOFF = [
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
]
ATTEMPTS = len(BACKOFF) + 1

# One attempt waits at most this long for the receiver; no retries inside it.
TIMEOUT = urllib3.Timeout(connect=5, read=10)
# A claim older than this belongs to a worker that died mid-send: well past
# an attempt's timeouts, so a sender still alive has finished by then.
STALE_CLAIM = datetime.timedelta(minutes=2)
RESPONSE_KEPT = 1000  # characters of the answer kept in the log
USER_AGENT = "helpdesk-webhooks/1"


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(
        delivery.payload, ensure_ascii=False, separators=(",", ":")
    ).encode()


def _blocked(delivery: Delivery) -> bool:
    """An earlier delivery of the same ticket to the same endpoint is pending."""
    return (
        Delivery.objects.pending()
        .filter(
            endpoint_id=delivery.endpoint_id,
            ordering_key=delivery.ordering_key,
            pk__lt=delivery.pk,
        )
        .exists()
    )


def _post(target: Target, *, body: bytes, headers: dict[str, str]):
    """POST to the checked address (no second lookup), never following a redirect."""
    options: dict = {"timeout": TIMEOUT, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        # TLS checks the certificate against the host name, not the address.
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    default_port = 443 if target.scheme == "https" else 80
    host = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default_port:
        host += f":{target.port}"
    with pool:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={"Host": host, **headers},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(RESPONSE_KEPT * 4, decode_content=False)
        finally:
            response.release_conn()
    return response.status, excerpt.decode("utf-8", "replace")[:RESPONSE_KEPT]


def deliver(delivery_id: int) -> bool | None:
    """Make one attempt at a due delivery: True when the receiver took it,
    False when the attempt failed, None when there was nothing to attempt
    (not due, sent, waiting for an earlier one, claimed by another worker)."""
    delivery = (
        Delivery.objects.due().select_related("endpoint").filter(pk=delivery_id).first()
    )
    if delivery is None or _blocked(delivery):
        return None
    if not Delivery.objects.claim(delivery_id, stale=STALE_CLAIM):
        return None
    delivery.refresh_from_db(fields=["attempts"])
    endpoint = delivery.endpoint
    body = body_of(delivery)
    started = now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(
            endpoint.signing_secrets(started),
            message_id=delivery.message_id,
            timestamp=int(started.timestamp()),
            body=body,
        ),
    }
    record = {
        "last_attempt_at": started,
        "request_headers": headers,
        "response_status": None,
        "response_body": "",
    }
    clock = time.monotonic()
    error = ""
    try:
        target = check_target(endpoint.url)
        status, excerpt = _post(target, body=body, headers=headers)
    except TargetRefused as refusal:
        error = str(refusal)
    except (urllib3.exceptions.HTTPError, OSError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    else:
        record.update(response_status=status, response_body=excerpt)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    record["duration_ms"] = round((time.monotonic() - clock) * 1000)
    if not error:
        Delivery.objects.mark_sent(delivery_id, **record)
        return True
    _failed(delivery, error=error, record=record)
    return False


def _failed(delivery: Delivery, *, error: str, record: dict) -> None:
    """Schedule the next attempt, or give up after the last."""
    attempts = delivery.attempts
    rows = Delivery.objects.filter(pk=delivery.pk)
    if attempts < ATTEMPTS:
        rows.update(
            claimed_at=None,
            last_error=error[:1000],
            next_attempt_at=record["last_attempt_at"] + BACKOFF[attempts - 1],
            **record,
        )
        return
    with transaction.atomic():
        rows.update(
            claimed_at=None, last_error=error[:1000], given_up_at=now(), **record
        )
        disable_endpoint(
            delivery.endpoint,
            reason=_(
                "%(count)d attempts at delivery %(id)s failed; the last: %(error)s"
            )
            % {"count": attempts, "id": delivery.message_id, "error": error[:200]},
        )


@transaction.atomic
def disable_endpoint(endpoint: Endpoint, *, reason: str) -> bool:
    """Stop sending to the endpoint and tell its integration's user; its
    pending deliveries wait until it is enabled again."""
    disabled = Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now(), disabled_reason=reason[:300]
    )
    if disabled != 1:
        return False
    endpoints.cache.forget()
    user = endpoint.integration.user
    queue_templated_email(
        [user.email],
        "webhooks/email/endpoint_disabled",
        {
            "endpoint": endpoint,
            "integration": endpoint.integration,
            "reason": reason,
            "user": user,
        },
        language=user.language,
    )
    return True


def deliver_in_order(delivery_id: int) -> tuple[int, bool]:
    """Deliver this one, then each next pending delivery of its ticket for
    the same endpoint, while the receiver takes them. Returns how many went,
    and whether an attempt failed."""
    sent = 0
    while (outcome := deliver(delivery_id)) is True:
        sent += 1
        current = Delivery.objects.get(pk=delivery_id)
        following = (
            Delivery.objects.due()
            .filter(
                endpoint_id=current.endpoint_id,
                ordering_key=current.ordering_key,
                pk__gt=delivery_id,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if following is None:
            break
        delivery_id = following
    return sent, outcome is False


def send_due(limit: int = 500) -> int:
    """Send what is due, oldest first. An endpoint that fails is left for the
    next run, so one receiver that is down does not hold up the others."""
    sent = 0
    failing: set[int] = set()
    due = Delivery.objects.due().order_by("pk").values_list("pk", "endpoint_id")
    for pk, endpoint_id in list(due[:limit]):
        if endpoint_id in failing:
            continue
        delivered, failed = deliver_in_order(pk)
        sent += delivered
        if failed:
            failing.add(endpoint_id)
    return sent
