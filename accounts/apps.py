from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts, organisations and licences")

    def ready(self) -> None:
        from accounts.roles import sync_role_permissions

        # Permissions exist only after migrate has created them.
        post_migrate.connect(sync_role_permissions, sender=self)
