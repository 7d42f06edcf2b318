"""Who may sign in, and permission sets kept in the cache between requests.

Both backends ask `User.may_act()` whether an account may sign in or keep
its session: a deactivated account, or a contact with no organisation, is
refused at sign-in and signed out at its next request.

Every staff page asks a permission (the menu's dashboard link); Django's
`ModelBackend` answers with two queries a request. Here the answer is cached
per user until any change to groups or permissions (`accounts.signals`), so a
change made in the admin takes effect on the next request, in every process.
The user's own flags (active, superuser) are read from the user row each
request, as before.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from helpdesk.cache import VersionedCache

permission_sets = VersionedCache("accounts:permissions", kept_in_process=True)


class MayActMixin:
    # Django asks this at sign-in and again for the session's user on every
    # request. Staff are answered from the user row; a contact's membership
    # is read here instead of later in the request, where it is kept.
    def user_can_authenticate(self, user: User) -> bool:
        return user.may_act()

    def get_user(self, user_id: int) -> User | None:
        # The session's user with their membership, in one query: a contact's
        # standing, menu and support are all read from it.
        try:
            user = User._default_manager.select_related("membership").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class EmailAuthenticationBackend(MayActMixin, AuthenticationBackend):
    """allauth's sign-in by e-mail, under the rule of who may act."""


class CachedPermissionsBackend(MayActMixin, ModelBackend):
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
