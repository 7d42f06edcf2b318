from __future__ import annotations

from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# allauth's pages: signing in and out, setting up the authenticator, giving a
# code. Open to staff without a second factor, or they could never get one.
ACCOUNT_PAGES = "/accounts/"


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included an authenticator code."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffTwoFactorMiddleware:
    """Staff reach any page behind the sign-in only in a session signed in with
    a second factor: staff see every organisation's tickets, on the ticket
    pages as on the queue.

    Staff without an authenticator app are sent to set one up; staff whose
    session was opened with the password alone must give a code first. Public
    pages and allauth's own stay open.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Public views first: reading request.user marks every response
        # `Vary: Cookie`, which would stop shared caches from keeping public
        # answers.
        if not getattr(view_func, "login_required", True):
            return None
        if request.path.startswith(ACCOUNT_PAGES):
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        # Checked on every page, not only at sign-in: an authenticator an
        # admin removes (a lost phone) stops the sessions it opened.
        if not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication. "
                    "Set up an authenticator app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        if not passed_second_factor(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None


class PublicFirstLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, but public views never touch the session.

    Reading `request.user` marks the response `Vary: Cookie`, and then no shared
    cache keeps public answers such as the support-hours status.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
