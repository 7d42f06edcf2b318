"""Permission sets kept in the cache between requests.

Every staff page asks a permission (the menu's dashboard link); Django's
`ModelBackend` answers with two queries a request. Here the answer is cached
per user under a version that any change to groups or permissions replaces,
so a change made in the admin takes effect on the next request, in every
process. The user's own flags (active, superuser) are read from the user row
each request, as before.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "accounts:permissions-version"
PERMISSIONS_TIMEOUT = 60 * 60


def permissions_version() -> str:
    # A random version, never a counter: if the cache loses this key, a new
    # one cannot meet cached sets written under an older version.
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def forget_permissions(**_: object) -> None:
    """Every cached permission set is out of date (a signal receiver).

    After the commit: a request in between would otherwise read the old rows
    and cache them under the new version."""
    transaction.on_commit(
        lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    )


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._cached_permissions(user_obj)
        return user_obj._perm_cache

    def _cached_permissions(self, user_obj) -> set[str]:
        # The set is stored with the version it was read under, so that one
        # round trip fetches both.
        key = f"accounts:permissions:{user_obj.pk}:{int(user_obj.is_superuser)}"
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or permissions_version()
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            return stored[1]
        permissions = super().get_all_permissions(user_obj)
        cache.set(key, (version, permissions), timeout=PERMISSIONS_TIMEOUT)
        return permissions
