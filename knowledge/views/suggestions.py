"""Articles suggested on the portal's filing form as the subject is typed
(static/js/suggestions.js), the tracked way to them, and "this solved it"."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Licence
from knowledge import deflection
from knowledge.models import FilingAttempt


@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestions for what the form holds now, as HTML for the form:
    a customer's subject and licence (its product); the attempt's code comes
    back with them and is sent with the next request."""
    user = request.user
    if user.is_staff or user.membership_or_none is None:
        return HttpResponse("")
    licence_id = request.POST.get("licence", "")
    licence = (
        Licence.objects.visible_to(user)
        .filter(pk=int(licence_id) if licence_id.isdigit() else None)
        .first()
    )
    attempt, found = deflection.suggest(
        user,
        request.POST.get("subject", "")[:200],
        channel=FilingAttempt.Channel.WEB,
        product=licence.product if licence else "",
        attempt_code=deflection.attempt_code(request.POST.get("attempt", "")),
    )
    return render(
        request,
        "knowledge/_suggestions.html",
        {
            "attempt": attempt,
            "suggestions": [
                (t, reverse("knowledge:suggested", args=[attempt.code, t.article_id]))
                for t in found
            ],
        },
    )


@login_not_required
@require_safe
def suggested(request: HttpRequest, code: UUID, article: int) -> HttpResponse:
    """A suggested article, opened: recorded, then shown (its address in
    the reader's language; one they may not read asks them to sign in)."""
    suggestion = deflection.opened(code, article)
    if suggestion is None:
        raise Http404
    return redirect(suggestion.article)


@require_POST
def solved(request: HttpRequest, code: UUID, article: int) -> HttpResponse:
    """ "This answered my question", pressed under a suggestion on the form."""
    if deflection.solved(request.user, code, article):
        messages.success(
            request,
            _("We are glad the article helped. No ticket was filed."),
        )
    return redirect("tickets:list")
