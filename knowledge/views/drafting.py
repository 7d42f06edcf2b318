"""A draft article from a support reply (`knowledge.drafting`): staff see
the draft as it would be saved, personal data replaced, then create it and
finish it in the admin. Linked from each reply on the staff ticket page."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import staff_required
from knowledge import drafting
from knowledge.markdown import render_article
from knowledge.services import KnowledgeError
from tickets.models import Message


def _reply(request: HttpRequest, code: UUID) -> Message:
    """The reply, if the user may write an article from it: 403 for staff
    who write no articles, 404 for a message that is not such a reply."""
    if not drafting.may_draft(request.user):
        raise PermissionDenied
    return get_object_or_404(drafting.replies_to_draft(request.user), code=code)


@require_safe
@staff_required
def draft_from_reply(request: HttpRequest, code: UUID) -> HttpResponse:
    reply = _reply(request, code)
    draft, error = None, ""
    try:
        draft = drafting.compose_draft(reply, by=request.user)
    except KnowledgeError as problem:
        error = str(problem)
    return render(
        request,
        "knowledge/draft_from_reply.html",
        {
            "reply": reply,
            "ticket": reply.ticket,
            "draft": draft,
            "body": render_article(draft.body).html if draft else "",
            "error": error,
        },
    )


@require_POST
@staff_required
def create_draft_from_reply(request: HttpRequest, code: UUID) -> HttpResponse:
    reply = _reply(request, code)
    try:
        article = drafting.draft_from_reply(reply, by=request.user)
    except KnowledgeError as problem:
        messages.error(request, str(problem))
        return redirect("knowledge:draft_from_reply", code)
    messages.success(
        request,
        _(
            "The draft is written. Read it for personal data the placeholders "
            "missed before you send it for review."
        ),
    )
    return redirect("admin:knowledge_article_change", article.pk)
