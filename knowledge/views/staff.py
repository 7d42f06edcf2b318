"""Staff's knowledge base tools: finding an article from a ticket's
composer (static/js/article-links.js) and inserting its tracked address,
which the customer then follows; and the supervisors' figures."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import staff_required
from helpdesk.db_router import reads_from_replica
from knowledge import figures, links
from knowledge.models import TicketArticle
from knowledge.views.pages import show_article
from tickets.models import Ticket


def _staff_ticket(request: HttpRequest, reference: str) -> Ticket:
    if not request.user.is_staff:
        raise PermissionDenied
    return get_object_or_404(
        Ticket.objects.visible_to(request.user).select_related("contact", "licence"),
        reference=reference,
    )


@require_safe
def find_for_ticket(request: HttpRequest, reference: str) -> JsonResponse:
    """Articles the ticket's customer may read that match `q`, in their language."""
    ticket = _staff_ticket(request, reference)
    found = links.find_for_ticket(ticket, request.GET.get("q", "")[:200])
    return JsonResponse(
        {
            "articles": [
                {
                    "id": t.article_id,
                    "title": t.title,
                    "language": t.language,
                    "visibility": t.article.get_visibility_display(),
                }
                for t in found
            ]
        }
    )


@require_POST
def link_for_ticket(request: HttpRequest, reference: str) -> JsonResponse:
    """A tracked link to one of those articles, as Markdown for the reply."""
    ticket = _staff_ticket(request, reference)
    article_id = request.POST.get("article", "")
    article = get_object_or_404(
        links.for_customer(ticket).prefetch_related("translations"),
        pk=int(article_id) if article_id.isdigit() else None,
    )
    _tracked, markdown = links.link(ticket, article, by=request.user)
    return JsonResponse({"markdown": markdown})


@login_not_required
@require_safe
def follow_link(request: HttpRequest, code: UUID) -> HttpResponse:
    """A link from a reply, followed: the article in the language it was
    sent in, counted when it is shown (`show_article`)."""
    tracked = get_object_or_404(TicketArticle, code=code)
    return show_article(
        request,
        Q(pk=tracked.article_id),
        language=tracked.language,
        shown=lambda: links.opened(tracked, request.user),
    )


@require_safe
@staff_required
@permission_required("tickets.view_dashboard", raise_exception=True)
@reads_from_replica
def figures_page(request: HttpRequest) -> HttpResponse:
    """The knowledge base's figures for supervisors, over 7, 30 or 90 days."""
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() and int(days) in figures.PERIODS else 30
    return render(
        request,
        "knowledge/figures.html",
        {
            "figures": figures.figures(days),
            "days": days,
            "periods": figures.PERIODS,
            "fewest_showings": figures.FEWEST_SHOWINGS,
        },
    )
