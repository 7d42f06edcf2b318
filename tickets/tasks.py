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
def recompute_open_sla() -> int:
    """Deadlines of unsolved tickets after the calendar or the targets changed."""
    return services.recompute_sla()


@shared_task
def reindex_organisation_tickets(organisation_id: int) -> int:
    from tickets.models import Ticket

    return Ticket.objects.filter(organisation_id=organisation_id).refresh_search_index()


@shared_task
def warn_about_deadlines() -> int:
    from tickets.services import warn_about_deadlines as warn

    return warn()


# A download from Telegram that failed is an OSError: the update stays
# received and is processed again.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def process_telegram_update(update_pk: int) -> str:
    from tickets.models import TelegramUpdate
    from tickets.telegram.updates import process

    update = TelegramUpdate.objects.filter(pk=update_pk).first()
    return process(update).status if update is not None else ""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_telegram_chat(chat_id: int) -> int:
    from tickets.telegram.outbox import send_chat

    return send_chat(chat_id)


@shared_task
def telegram_catch_up() -> int:
    """Updates and messages whose task was lost, or waited for Telegram to come back."""
    from tickets.telegram.outbox import send_unsent
    from tickets.telegram.updates import process_pending

    return process_pending() + send_unsent()


@shared_task
def refresh_dashboard() -> None:
    dashboard.refresh(now())
