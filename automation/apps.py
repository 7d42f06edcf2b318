from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        # Rules run inside the transaction of the change they react to.
        from automation import signals  # noqa: F401 (connects the receivers)
        from automation.engine import on_event
        from outbox import events

        events.listen(on_event)
