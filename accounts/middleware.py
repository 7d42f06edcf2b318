from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Pages that show customers' data to staff; each needs a second factor.
STAFF_AREAS = ("/admin/", "/staff/")


class StaffTwoFactorMiddleware:
    """Send staff without an authenticator app to set one up before any staff page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The path first: reading request.user marks every response `Vary: Cookie`,
        # which would stop shared caches from keeping public answers.
        if request.path.startswith(STAFF_AREAS) and self._lacks_second_factor(request):
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication. Set up an authenticator app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _lacks_second_factor(request: HttpRequest) -> bool:
        user = request.user
        return (
            user.is_authenticated
            and user.is_staff
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        )
