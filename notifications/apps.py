from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Staff are told inside the transaction of the change, after the
        # automation's rules (listed after it), so a filed ticket is told
        # to the group it was routed to.
        from notifications.services import on_event
        from outbox import events

        events.listen(on_event)
