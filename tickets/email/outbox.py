"""The outbox: every e-mail about tickets is a row written with the change it tells of.

1. `queue()` writes an `OutgoingEmail` inside the caller's transaction, so a
   rolled-back change leaves no mail behind, and asks a worker to send it
   once the transaction commits.
2. `deliver()` claims the row with a conditional update before sending: a
   task that runs twice (a retry, a duplicate delivery from the broker, the
   sweeper) finds nothing to claim the second time.
3. A send that fails releases the claim; `send_unsent()` (beat) picks up rows
   whose task was lost or whose claim went stale (the worker died mid-send).

A worker that dies after the relay accepted the message but before the row is
marked sent leaves a claim that goes stale, and the message is sent again with
the same Message-ID (which the recipient's mail system can drop as a
duplicate): at least once in that window, exactly once everywhere else.
"""

from __future__ import annotations

import datetime
import uuid

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils.timezone import now

from tickets.models import OutgoingEmail, Ticket

# A claim older than this belongs to a worker that died mid-send: longer than
# the task's hard time limit and the SMTP timeout (EMAIL_TIMEOUT), so a sender
# still alive has finished or given up by then.
STALE_CLAIM = datetime.timedelta(minutes=10)


def new_message_id() -> str:
    return f"<out.{uuid.uuid4().hex}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def reply_to_address(ticket: Ticket) -> str:
    """support+hd-2026-000123@domain: a reply comes back tagged with its ticket."""
    local, _at, domain = settings.SUPPORT_EMAIL.partition("@")
    return f"{local}+{ticket.reference.lower()}@{domain}"


def queue(
    to: list[str],
    *,
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict[str, str] | None = None,
    ticket: Ticket | None = None,
) -> OutgoingEmail:
    """Write the message to the outbox; a worker sends it after commit."""
    headers = dict(headers or {})
    headers.setdefault("Message-ID", new_message_id())
    headers.setdefault("X-Loop", settings.EMAIL_MESSAGE_ID_DOMAIN)
    if ticket is not None:
        headers.setdefault("Reply-To", reply_to_address(ticket))
    else:
        headers.setdefault("Reply-To", settings.SUPPORT_EMAIL)
    email = OutgoingEmail.objects.create(
        to=to,
        # Subjects are one line; a header longer than this helps nobody.
        subject=" ".join(subject.split())[:255],
        body=body,
        html_body=html_body,
        headers=headers,
        message_id=headers["Message-ID"],
        ticket=ticket,
    )

    # Robust: with the broker down the change still stands and the user still
    # sees success; the row stays unsent and the sweeper sends it later.
    def send_after_commit() -> None:  # named: Django logs robust failures by name
        send_outgoing_email.delay(email.pk)

    transaction.on_commit(send_after_commit, robust=True)
    return email


def deliver(email_id: int) -> bool:
    """Send one outbox row unless it is sent or being sent; True when this call sent it."""
    moment = now()
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, sent_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=moment - STALE_CLAIM))
        # Counted as it starts, so an attempt whose worker died counts too.
        .update(claimed_at=moment, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    headers = dict(email.headers)
    reply_to = headers.pop("Reply-To", "")
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        to=email.to,
        headers=headers,
        reply_to=[reply_to] if reply_to else None,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    try:
        message.send()
    except OSError as error:
        # Released, so the retry (or the sweeper) may claim it again.
        OutgoingEmail.objects.filter(pk=email_id).update(
            claimed_at=None, last_error=str(error)[:1000]
        )
        raise
    OutgoingEmail.objects.filter(pk=email_id).update(sent_at=now(), last_error="")
    return True


def send_unsent() -> int:
    """Send what is still unsent (a lost task, a relay that was down)."""
    sent = 0
    cutoff = now() - datetime.timedelta(minutes=1)
    for pk in OutgoingEmail.objects.filter(
        sent_at=None, created_at__lt=cutoff
    ).values_list("pk", flat=True)[:500]:
        try:
            sent += deliver(pk)
        except OSError:
            break  # the relay is down: the next run tries again
    return sent


# SMTP failures are OSErrors: retried with backoff; the row stays unsent meanwhile.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_outgoing_email(email_id: int) -> bool:
    return deliver(email_id)


@shared_task
def send_unsent_email() -> int:
    return send_unsent()
