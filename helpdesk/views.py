from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Licence
from api.problems import problem_response
from helpdesk.health import run_checks
from tickets.services import filing_open


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    # Public, so open to a staff session without its second factor: staff
    # start from the queue, and every organisation's licences are the admin's
    # to list.
    if request.user.is_staff:
        return render(request, "home.html", {"licences": None})
    licences = list(
        Licence.objects.visible_to(request.user)
        .select_related("organisation")
        .with_periods()
        .order_by("number")
    )
    return render(
        request,
        "home.html",
        {
            "licences": licences,
            # Said at once, before anyone opens the filing form.
            "filing_closed": request.user.is_authenticated
            and request.user.membership_or_none is not None
            and not filing_open(licences),
        },
    )


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


# Under the API a client reads problem documents, never the site's pages.
API_PREFIX = "/api/v1/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return problem_response(404, gettext("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return problem_response(500, gettext("Something went wrong on our side."))
    return defaults.server_error(request)
