from __future__ import annotations

from celery import shared_task

from webhooks.delivery import deliver_in_order, send_due


@shared_task
def send_delivery(delivery_id: int) -> int:
    sent, _failed = deliver_in_order(delivery_id)
    return sent


@shared_task
def send_due_deliveries() -> int:
    return send_due()
