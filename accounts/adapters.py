from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _

from accounts.models import Invitation, StaffRole, User
from accounts.services import accept_invitation
from helpdesk.http import client_address

INVITATION_SESSION_KEY = "invitation_token"


def invitation_in_session(request: HttpRequest) -> Invitation | None:
    token = request.session.get(INVITATION_SESSION_KEY)
    if not token:
        return None
    return (
        Invitation.objects.usable()
        .select_related("organisation")
        .filter(token=token)
        .first()
    )


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open only to someone holding an invitation, for its address."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return invitation_in_session(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = getattr(self, "request", None)
        invitation = invitation_in_session(request) if request is not None else None
        if invitation is not None and email.lower() != invitation.email.lower():
            raise forms.ValidationError(
                _("Sign up with the address the invitation was sent to: %(email)s.")
                % {"email": invitation.email}
            )
        return email

    def pre_login(
        self, request: HttpRequest, user: User, **kwargs
    ) -> HttpResponse | None:
        """An account that may not act (`User.may_act`) is turned away here
        too: allauth signs in a user whose password matched but whom the
        backends refused, as long as the account is active."""
        if not user.may_act():
            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request: HttpRequest, user: User, **kwargs) -> HttpResponse:
        """Keep the language this browser chose before signing in; without
        one, speak the person's own (`User.language`) from the sign-in
        message on. Neither changes the language of their e-mails."""
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        keep = bool(chosen) and check_for_language(chosen)
        language = chosen if keep else user.language
        if language and check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = super().post_login(request, user, **kwargs)
        if not keep and user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land where they work (a `next` in the request still wins):
        administrators in the admin, supervisors on the dashboard, agents in
        the queue; customers on the home page."""
        user = request.user
        if not user.is_staff:
            return super().get_login_redirect_url(request)
        if user.is_superuser or user.groups.filter(name=StaffRole.ADMIN).exists():
            return reverse("admin:index")
        if user.has_perm("tickets.view_dashboard"):
            return reverse("tickets_staff:dashboard")
        return reverse("tickets_staff:queue")

    def save_user(
        self, request: HttpRequest, user: User, form, commit: bool = True
    ) -> User:
        user = super().save_user(request, user, form, commit=commit)
        invitation = invitation_in_session(request)
        if commit and invitation is not None:
            accept_invitation(invitation, user, ip_address=client_address(request))
            del request.session[INVITATION_SESSION_KEY]
        return user
