"""The organisation's integrations on the portal: its manager makes them,
issues their tokens (shown once) and revokes them. Staff make the vendor's
integrations in the admin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Membership
from api.forms import TokenForm
from api.models import ApiToken, Integration
from api.services import IntegrationError, create_integration, revoke_token


class IntegrationForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        help_text=gettext_lazy("What uses it, e.g. “Zabbix monitoring”."),
    )


def _membership(request: HttpRequest) -> Membership:
    membership = request.user.managed_membership
    if membership is None:
        raise PermissionDenied
    return membership


def integrations(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    form = IntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            create_integration(
                form.cleaned_data["name"],
                user=request.user,
                organisation_id=membership.organisation_id,
            )
        except IntegrationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The integration is made: issue it a token."))
            return redirect("integrations:list")
    return _page(request, membership, form=form)


@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    integration = get_object_or_404(
        Integration, pk=pk, organisation_id=membership.organisation_id, is_active=True
    )
    token_form = TokenForm(
        request.POST, organisation_only=True, auto_id=f"i{integration.pk}_%s"
    )
    token_text = token_form.issue(integration, by=request.user)
    # Shown on this answer only: the portal keeps a digest.
    return _page(
        request,
        membership,
        token_text=token_text,
        issued_for=integration,
        token_form=token_form if not token_text else None,
        status=200 if token_text else 400,
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    token = get_object_or_404(
        ApiToken, pk=pk, integration__organisation_id=membership.organisation_id
    )
    revoke_token(token, by=request.user)
    messages.success(request, _("The token is revoked: it stops working at once."))
    return redirect("integrations:list")


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    form: IntegrationForm | None = None,
    token_form: TokenForm | None = None,
    issued_for: Integration | None = None,
    token_text: str = "",
    status: int = 200,
) -> HttpResponse:
    found = list(
        Integration.objects.filter(organisation_id=membership.organisation_id)
        .prefetch_related("tokens")
        .order_by("name")
    )
    for integration in found:
        # Each its own ids: several such forms share the page.
        integration.token_form = (
            token_form
            if token_form is not None and integration == issued_for
            else TokenForm(organisation_only=True, auto_id=f"i{integration.pk}_%s")
        )
    return render(
        request,
        "api/integrations.html",
        {
            "organisation": membership.organisation,
            "integrations": found,
            "form": form or IntegrationForm(),
            "issued_for": issued_for,
            "token_text": token_text,
        },
        status=status,
    )
