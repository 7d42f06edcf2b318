"""Webhooks of an organisation's integrations on the portal: its manager adds
and removes endpoints, sees their secrets and rotates them. Staff keep the
vendor's endpoints in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Membership
from api.models import Integration
from webhooks.forms import EndpointForm
from webhooks.models import Endpoint
from webhooks.services import (
    WebhookError,
    delete_endpoint,
    enable_endpoint,
    rotate_secret,
)


def _membership(request: HttpRequest) -> Membership:
    membership = request.user.managed_membership
    if membership is None:
        raise PermissionDenied
    return membership


def _integration(request: HttpRequest, pk: int) -> Integration:
    membership = _membership(request)
    return get_object_or_404(
        Integration, pk=pk, organisation_id=membership.organisation_id
    )


def _endpoint(request: HttpRequest, pk: int) -> Endpoint:
    membership = _membership(request)
    return get_object_or_404(
        Endpoint.objects.select_related("integration"),
        pk=pk,
        integration__organisation_id=membership.organisation_id,
    )


def endpoints(request: HttpRequest, pk: int) -> HttpResponse:
    integration = _integration(request, pk)
    form = EndpointForm(request.POST or None, organisation_only=True)
    if request.method == "POST" and form.create(integration) is not None:
        messages.success(
            request,
            _("The address is added: give its secret to your system."),
        )
        return redirect("webhooks:list", pk=integration.pk)
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "integration": integration,
            "endpoints": integration.endpoints.order_by("created_at", "pk"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    delete_endpoint(endpoint)
    messages.success(request, _("The address is removed: nothing more is sent there."))
    return redirect("webhooks:list", pk=endpoint.integration_id)


@require_POST
def rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = rotate_secret(_endpoint(request, pk))
    messages.success(
        request,
        _(
            "A new secret is made. For a day messages are signed with both, "
            "so your system can switch to the new one meanwhile."
        ),
    )
    return redirect("webhooks:list", pk=endpoint.integration_id)


@require_POST
def enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    try:
        enable_endpoint(endpoint)
    except WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Sending is on again; what waited goes in order."))
    return redirect("webhooks:list", pk=endpoint.integration_id)
