from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "schedule"
    verbose_name = _("Support hours")

    def ready(self) -> None:
        from schedule import signals  # noqa: F401
