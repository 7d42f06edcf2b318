from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts, organisations and licences")

    def ready(self) -> None:
        from accounts.roles import sync_role_permissions

        # Permissions exist only once migrate has created them, app by app, so
        # the groups are brought up to date after every app's turn.
        post_migrate.connect(
            sync_role_permissions, dispatch_uid="sync_role_permissions"
        )
