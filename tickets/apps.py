from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Connect the receivers; helpdesk.sqlite gives search CASEFOLD() on SQLite.
        from helpdesk import sqlite  # noqa: F401
        from tickets import signals  # noqa: F401
