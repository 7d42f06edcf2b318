from __future__ import annotations

from uuid import UUID

from allauth.account.views import signup as allauth_signup
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts import services
from accounts.adapters import INVITATION_SESSION_KEY, invitation_in_session
from accounts.decorators import staff_required
from accounts.forms import (
    AcceptInvitationForm,
    AccessRequestForm,
    ApproveAccessRequestForm,
    DeclineAccessRequestForm,
    InviteContactForm,
    ProfileForm,
)
from accounts.models import CONSENT_VERSION, AccessRequest, Invitation, Membership, User
from accounts.ratelimit import allow
from helpdesk.http import client_address

ACCESS_REQUESTS_PER_HOUR = 5
ACCESS_ON_REQUEST = gettext_lazy(
    "Accounts are opened on request: ask here for access to your "
    "organisation's support, or use the invitation your manager sent."
)


def _managed_membership(user: User) -> Membership:
    """The membership through which `user` manages an organisation's contacts."""
    membership = user.managed_membership
    if membership is None:
        raise PermissionDenied
    return membership


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """allauth's sign-up, for someone holding an invitation; every other way
    into sign-up leads to the access request."""
    if invitation_in_session(request) is None:
        messages.info(request, ACCESS_ON_REQUEST)
        return redirect("accounts:request_access")
    return allauth_signup(request)


@login_not_required
def request_access(request: HttpRequest) -> HttpResponse:
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = f"ratelimit:access-request:{client_address(request)}"
        if allow(key, limit=ACCESS_REQUESTS_PER_HOUR, period=3600):
            access_request = form.save(commit=False)
            access_request.language = translation.get_language() or "ru"
            services.request_access(access_request, ip_address=client_address(request))
            request.session["access_requested_email"] = access_request.email
            return redirect("accounts:access_requested")
        form.add_error(
            None, _("Too many requests from your address. Please try again in an hour.")
        )
    return render(request, "accounts/request_access.html", {"form": form})


@login_not_required
@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The consent text people agree to on the access, sign-up and invitation
    forms, in its current version."""
    return render(
        request,
        "accounts/privacy_notice.html",
        {
            "version": CONSENT_VERSION,
            "notice_template": f"accounts/privacy_notice/{CONSENT_VERSION}.html",
        },
    )


@login_not_required
def access_requested(request: HttpRequest) -> HttpResponse:
    email = request.session.get("access_requested_email", "")
    return render(request, "accounts/access_requested.html", {"email": email})


@login_not_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.usable().filter(token=token).first()
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    returning = User.objects.filter(
        email__iexact=invitation.email, is_active=False
    ).first()
    if returning is not None:
        # The account comes back only when its owner accepts, with consent,
        # by POST: a mail scanner opening the link restores nothing.
        posted = request.method == "POST"
        form = AcceptInvitationForm(request.POST if posted else None)
        if not posted or not form.is_valid():
            return render(
                request,
                "accounts/accept_invitation.html",
                {"invitation": invitation, "form": form},
            )
        try:
            services.restore_contact(
                invitation, returning, ip_address=client_address(request)
            )
        except services.AccountsError as error:
            messages.error(request, str(error))
            return redirect("account_login")
        messages.success(
            request,
            _(
                "Your access has been restored. Sign in with your password, or reset it if you have forgotten it."
            ),
        )
        return redirect("account_login")
    request.session[INVITATION_SESSION_KEY] = invitation.token
    return redirect(
        f"{reverse('account_signup')}?{urlencode({'email': invitation.email})}"
    )


def organisation_contacts(request: HttpRequest) -> HttpResponse:
    membership = _managed_membership(request.user)
    organisation = membership.organisation
    form = InviteContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invite_contact(
            organisation,
            **form.cleaned_data,
            language=translation.get_language() or "ru",
            invited_by=request.user,
        )
        # The same answer whether or not the address already had an account.
        messages.success(
            request,
            _("An invitation has been sent to %(email)s.")
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("accounts:organisation_contacts")
    contacts = (
        User.objects.contacts_of(organisation.pk)
        .select_related("membership")
        .order_by("full_name")
    )
    invitations = organisation.invitations.usable()
    return render(
        request,
        "accounts/organisation_contacts.html",
        {
            "organisation": organisation,
            "contacts": contacts,
            "invitations": invitations,
            "form": form,
        },
    )


@require_POST
def remove_contact(request: HttpRequest, user_id: int) -> HttpResponse:
    organisation_id = _managed_membership(request.user).organisation_id
    contact = get_object_or_404(
        User.objects.contacts_of(organisation_id).select_related("membership"),
        pk=user_id,
    )
    try:
        services.remove_contact(contact.membership, by=request.user)
    except services.AccountsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s no longer has access.") % {"name": contact.full_name},
        )
    return redirect("accounts:organisation_contacts")


@staff_required
def access_request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AccessRequest.Status.PENDING)
    if status not in AccessRequest.Status.values:
        status = AccessRequest.Status.PENDING
    newest: dict[str, AccessRequest] = {}
    for access_request in AccessRequest.objects.filter(status=status).select_related(
        "organisation"
    )[:200]:
        # Repeated requests from one address are one line: the newest,
        # with how many came before.
        first = newest.setdefault(access_request.email.lower(), access_request)
        first.repeats = getattr(first, "repeats", -1) + 1
    return render(
        request,
        "accounts/access_request_list.html",
        {
            "access_requests": list(newest.values()),
            "status": status,
            "statuses": AccessRequest.Status,
        },
    )


@staff_required
def access_request_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    access_request = get_object_or_404(
        AccessRequest.objects.select_related("organisation"), code=code
    )
    approve_form = ApproveAccessRequestForm()
    decline_form = DeclineAccessRequestForm()
    if request.method == "POST":
        try:
            if "approve" in request.POST:
                approve_form = ApproveAccessRequestForm(request.POST)
                if approve_form.is_valid():
                    services.approve_access_request(
                        access_request,
                        by=request.user,
                        organisation=approve_form.cleaned_data["organisation"],
                    )
                    messages.success(
                        request, _("Approved; the invitation is on its way.")
                    )
                    return redirect("accounts:access_request_list")
            else:
                decline_form = DeclineAccessRequestForm(request.POST)
                if decline_form.is_valid():
                    services.decline_access_request(
                        access_request,
                        by=request.user,
                        reason=decline_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("Declined; the requester has been told why.")
                    )
                    return redirect("accounts:access_request_list")
        except services.AccountsError as error:
            messages.error(request, str(error))
    return render(
        request,
        "accounts/access_request_detail.html",
        {
            "access_request": access_request,
            "check": access_request.licence_check(),
            "others": access_request.others_from_the_address()[:20],
            "approve_form": approve_form,
            "decline_form": decline_form,
        },
    )


def profile(request: HttpRequest) -> HttpResponse:
    """A person's own details and the language of their e-mails."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
