"""The e-mail outbox: every e-mail is a row written with the change it tells of.

1. `queue()` writes an `OutgoingEmail` inside the caller's transaction, so a
   rolled-back change leaves no mail behind, and asks a worker to send it
   once the transaction commits (robust: a broker outage leaves the row for
   the sweeper, never an error page).
2. `deliver()` claims the row (`OutboxQuerySet.claim`) before sending: a task
   that runs twice (a retry, a duplicate delivery from the broker, the
   sweeper) finds nothing to claim the second time.
3. A send that fails releases the claim; `send_unsent()` (beat) picks up rows
   whose task was lost or whose claim went stale (the worker died mid-send).

A worker that dies after the relay accepted the message but before the row is
marked sent leaves a claim that goes stale, and the message is sent again with
the same Message-ID (which the recipient's mail system can drop as a
duplicate): at least once in that window, exactly once everywhere else.
"""

from __future__ import annotations

import uuid

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from outbox.models import STALE_CLAIM, OutgoingEmail

__all__ = ["STALE_CLAIM", "deliver", "new_message_id", "queue", "send_unsent"]


def new_message_id() -> str:
    return f"<out.{uuid.uuid4().hex}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def queue(
    to: list[str],
    *,
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict[str, str] | None = None,
    ticket_id: int | None = None,
) -> OutgoingEmail:
    """Write the message to the outbox; a worker sends it after commit."""
    headers = dict(headers or {})
    headers.setdefault("Message-ID", new_message_id())
    headers.setdefault("X-Loop", settings.EMAIL_MESSAGE_ID_DOMAIN)
    headers.setdefault("Reply-To", settings.SUPPORT_EMAIL)
    email = OutgoingEmail.objects.create(
        to=to,
        # Subjects are one line; a header longer than this helps nobody.
        subject=" ".join(subject.split())[:255],
        body=body,
        html_body=html_body,
        headers=headers,
        message_id=headers["Message-ID"],
        ticket_id=ticket_id,
    )

    # Robust: with the broker down the change still stands and the user still
    # sees success; the row stays unsent and the sweeper sends it later.
    def send_after_commit() -> None:  # named: Django logs robust failures by name
        send_outgoing_email.delay(email.pk)

    transaction.on_commit(send_after_commit, robust=True)
    return email


def deliver(email_id: int) -> bool:
    """Send one outbox row unless it is sent or being sent; True when this call sent it."""
    if not OutgoingEmail.objects.claim(email_id):
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
        OutgoingEmail.objects.release(email_id, error)
        raise
    OutgoingEmail.objects.mark_sent(email_id)
    return True


def send_unsent() -> int:
    """Send what is still unsent (a lost task, a relay that was down)."""
    sent = 0
    for pk in OutgoingEmail.objects.due_for_sweep().values_list("pk", flat=True)[:500]:
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
