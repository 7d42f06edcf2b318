from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        # Registers the token's security scheme with drf-spectacular.
        from api import schema  # noqa: F401
