"""Receivers that forget cached data when the rows behind it change, and the
role groups brought up to date after `migrate`."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

from accounts import directory
from accounts.backends import permission_sets
from accounts.models import (
    Licence,
    Membership,
    Organisation,
    SubscriptionPeriod,
    User,
    saved_at_sign_in,
)
from accounts.roles import sync_role_permissions

# Cached permission sets (accounts.backends) hold only while nothing about
# groups and permissions changes.


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
@receiver(post_save, sender=Group)
@receiver(post_delete, sender=Group)
@receiver(post_save, sender=Permission)
@receiver(post_delete, sender=Permission)
def permissions_changed(**kwargs: Any) -> None:
    permission_sets.forget()


# The organisation directory (accounts.directory) holds only while its rows
# stay as they were read.


@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
@receiver(post_save, sender=Licence)
@receiver(post_delete, sender=Licence)
@receiver(post_save, sender=SubscriptionPeriod)
@receiver(post_delete, sender=SubscriptionPeriod)
@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_delete, sender=User)
def directory_changed(**kwargs: Any) -> None:
    directory.forget()


@receiver(post_save, sender=User)
def user_saved(**kwargs: Any) -> None:
    if not saved_at_sign_in(kwargs.get("update_fields")):
        directory.forget()


# Permissions exist only once migrate has created them, app by app (auth's
# receiver, connected before this one, runs first for each app), so the groups
# are brought up to date after the last app's turn. Once, not after every
# app's: a transactional test's flush sends the signal for every app too.
@receiver(post_migrate, dispatch_uid="sync_role_permissions")
def migrated(sender: AppConfig, **kwargs: Any) -> None:
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender is with_models[-1]:
        sync_role_permissions()
