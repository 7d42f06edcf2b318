"""The site's URLs and one more: the ceiling the bench measures pages against."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_safe

from accounts.decorators import staff_required
from helpdesk.urls import urlpatterns as site_urlpatterns

CEILING_PATH = "staff/bench-ceiling/"

_TINY = engines["django"].from_string(
    "<!doctype html><title>ceiling</title><p>{{ user.get_short_name }}: {{ at }}</p>"
)


@require_safe
@staff_required
def ceiling(request: HttpRequest) -> HttpResponse:
    """The least a signed-in staff page can cost: the same middleware (session,
    authentication, second factor, CSRF, security headers) and a tiny template,
    no query of its own."""
    return HttpResponse(_TINY.render({"at": "now"}, request))


urlpatterns = [path(CEILING_PATH, ceiling, name="bench_ceiling"), *site_urlpatterns]
