from __future__ import annotations

from celery import shared_task
from django.utils.timezone import now

from tickets import dashboard, services
from tickets.models import TicketEvent
from tickets.notifications import send_event_notifications


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_ticket_event(event_id: int) -> int:
    event = (
        TicketEvent.objects.select_related(
            "ticket__contact", "ticket__assignee", "message", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    return send_event_notifications(event) if event is not None else 0


@shared_task
def close_resolved_tickets() -> int:
    return services.close_resolved_tickets()


# SMTP failures are OSErrors: retried with backoff; the row stays unsent meanwhile.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_outgoing_email(email_id: int) -> bool:
    from tickets.outbox import deliver

    return deliver(email_id)


@shared_task
def send_unsent_email() -> int:
    from tickets.outbox import send_unsent

    return send_unsent()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def poll_mailbox() -> int:
    from tickets.email_in import poll_mailbox as poll

    return poll()


@shared_task
def warn_about_deadlines() -> int:
    from tickets.services import warn_about_deadlines as warn

    return warn()


@shared_task
def refresh_dashboard() -> None:
    dashboard.refresh(now())
