"""Permission sets kept in the cache between requests.

Every staff page asks a permission (the menu's dashboard link); Django's
`ModelBackend` answers with two queries a request. Here the answer is cached
per user until any change to groups or permissions (`accounts.apps`), so a
change made in the admin takes effect on the next request, in every process.
The user's own flags (active, superuser) are read from the user row each
request, as before.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.versioned_cache import VersionedCache

permission_sets = VersionedCache("accounts:permissions", kept_in_process=True)


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = permission_sets.get(
                f"{user_obj.pk}:{int(user_obj.is_superuser)}",
                lambda: super(CachedPermissionsBackend, self).get_all_permissions(
                    user_obj
                ),
            )
        return user_obj._perm_cache
