from __future__ import annotations

from celery import shared_task

from tickets import services
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
