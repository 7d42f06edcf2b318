"""`Authorization: Bearer hdk_…`: the API's one way in. Sessions and CSRF are
not used under `/api/v1/`: a browser's cookies open nothing there."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from api.models import ApiToken


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as: Authorization: Bearer <token>.")
            )
        try:
            text = parts[1].decode()
        except UnicodeDecodeError:
            text = ""
        token = ApiToken.objects.authenticate(text)
        if token is None:
            # One answer for every reason: unknown, revoked, expired or
            # disabled tokens are not told apart to whoever holds one.
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it is unknown, revoked or expired.")
            )
        token.touch()
        return token.integration.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The view's `required_scopes` for the request's method: {"GET": scope,
    "POST": scope, …}; a method not named is refused."""

    message = _("This token's scopes do not allow it.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        scope = getattr(view, "required_scopes", {}).get(request.method)
        if scope is None and request.method in ("HEAD", "OPTIONS"):
            scope = view.required_scopes.get("GET")
        return scope is not None and token.allows(scope)
