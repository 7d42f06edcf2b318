from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Deliveries are written by the listener, in the publisher's transaction.
        from outbox import events
        from webhooks import signals  # noqa: F401 (connects the receivers)
        from webhooks.services import queue_deliveries

        events.listen(queue_deliveries)
