"""The page a rating link of the closing e-mail opens (`tickets.rating_links`).

Mail scanners (Outlook's Safe Links and the like) open every link of a
message before its reader does, so opening the page records nothing: it
shows the chosen score, and a small script (static/js/rating-link.js) posts
it at once; scanners run no scripts, and without one the reader presses the
button. Then the comment may be added, by a post with the same token.

The token is the authority: no sign-in is needed. It works for the person it
was sent to, while they may still see the ticket (`visible_to`), until it
expires. One rating per ticket whatever the channel: once rated (here, on
the portal or in Telegram), the page shows the rating given first, and a
comment may still be added once by whoever gave it (`comment_on_rating`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from tickets import rating_links, services
from tickets.forms import RatingCommentForm
from tickets.models import SatisfactionRating, Ticket


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def rate_by_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = rating_links.read_token(token)
    except rating_links.ExpiredLink:
        return _refused(request, expired=True)
    except rating_links.BadLink:
        return _refused(request, expired=False)
    # Staff are never sent one; a removed contact's link stops with their access.
    user = User.objects.filter(pk=link.user_id, is_staff=False).first()
    ticket = (
        Ticket.objects.visible_to(user).filter(code=link.ticket_code).first()
        if user is not None
        else None
    )
    if ticket is None:
        return _refused(request, expired=False)

    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    form = RatingCommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        if rating is not None and "add_comment" not in request.POST:
            # The score's post again (a reload, a second tab): the first stands.
            return redirect(request.path)
        try:
            if rating is None:
                services.rate_ticket(
                    ticket,
                    by=user,
                    score=link.score,
                    comment=comment,
                    channel=Ticket.Channel.EMAIL,
                )
                messages.success(request, _("Thank you for your rating."))
            else:
                services.comment_on_rating(ticket, by=user, comment=comment)
                messages.success(request, _("Thank you for your comment."))
        except services.TicketError as error:
            form.add_error(None, str(error))
        else:
            return redirect(request.path)

    return render(
        request,
        "tickets/rating_link.html",
        {
            "ticket": ticket,
            "rating": rating,
            "score": link.score,
            "score_label": rating_links.SCORE_LABELS[link.score],
            "rating_label": rating_links.SCORE_LABELS[rating.score] if rating else "",
            "may_rate": rating is None and ticket.awaits_rating(),
            "may_comment": rating is not None
            and not rating.comment
            and rating.rated_by_id == user.pk,
            "closed": ticket.is_closed,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _refused(request: HttpRequest, *, expired: bool) -> HttpResponse:
    """A link that cannot be used: said plainly, with the way to the portal."""
    return render(
        request,
        "tickets/rating_link.html",
        {"refused": True, "expired": expired},
        status=400,
    )
