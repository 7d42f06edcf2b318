from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts, organisations and licences")

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission

        from accounts import directory
        from accounts.backends import permission_sets
        from accounts.models import (
            Licence,
            Membership,
            Organisation,
            SubscriptionPeriod,
            User,
        )
        from accounts.roles import sync_role_permissions

        # Cached permission sets (accounts.backends) hold only while nothing
        # about groups and permissions changes.
        for relation in (
            User.groups.through,
            User.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(permission_sets.forget, sender=relation)
        for model in (Group, Permission):
            post_save.connect(permission_sets.forget, sender=model)
            post_delete.connect(permission_sets.forget, sender=model)

        # The organisation directory (accounts.directory) holds only while its
        # rows stay as they were read.
        for model in (Organisation, Licence, SubscriptionPeriod, Membership):
            post_save.connect(directory.forget, sender=model)
            post_delete.connect(directory.forget, sender=model)
        post_save.connect(directory.user_saved, sender=User)
        post_delete.connect(directory.forget, sender=User)

        # Permissions exist only once migrate has created them, app by app, so
        # the groups are brought up to date after every app's turn.
        post_migrate.connect(
            sync_role_permissions, dispatch_uid="sync_role_permissions"
        )
