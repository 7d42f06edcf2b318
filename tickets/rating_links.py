"""The closing e-mail's one-click rating links: a signed, expiring token each.

A token names the ticket (its code), the score and the recipient, signed with
the site's key under a salt of its own (so no other signed value of the site
passes for one), and stops working `RATING_LINK_MAX_AGE_DAYS` after the
e-mail. It is the authority of the page it opens (`tickets.views.rating`):
nobody needs to sign in to rate from their mailbox.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.models import Ticket

SALT = "tickets.rating-link"
# `services.rate_ticket`'s scale, 5 the best, with the words beside each score.
SCORE_LABELS = {
    1: _("Very poor"),
    2: _("Poor"),
    3: _("Fair"),
    4: _("Good"),
    5: _("Excellent"),
}
SCORES = range(1, 6)


class BadLink(Exception):
    """A token that was tampered with, or is not one."""


class ExpiredLink(BadLink):
    """A genuine token past `RATING_LINK_MAX_AGE_DAYS`."""


@dataclass(frozen=True)
class RatingLink:
    ticket_code: uuid.UUID
    score: int
    user_id: int


def make_token(ticket: Ticket, *, score: int, user: User) -> str:
    return signing.dumps(
        {"ticket": str(ticket.code), "score": score, "user": user.pk}, salt=SALT
    )


def read_token(token: str) -> RatingLink:
    """What a token says; `ExpiredLink` or `BadLink` when it may not be used."""
    try:
        data = signing.loads(
            token,
            salt=SALT,
            max_age=datetime.timedelta(days=settings.RATING_LINK_MAX_AGE_DAYS),
        )
    except signing.SignatureExpired as error:
        raise ExpiredLink from error
    except signing.BadSignature as error:
        raise BadLink from error
    try:
        link = RatingLink(
            ticket_code=uuid.UUID(data["ticket"]),
            score=int(data["score"]),
            user_id=int(data["user"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BadLink from error
    if link.score not in SCORES:
        raise BadLink
    return link


@dataclass(frozen=True)
class ScoreLink:
    score: int
    label: str
    url: str


def links_for(ticket: Ticket, user: User) -> list[ScoreLink]:
    """A link for each score, best first, in the active language."""
    site = settings.SITE_URL.rstrip("/")
    return [
        ScoreLink(
            score,
            str(SCORE_LABELS[score]),
            site
            + reverse(
                "tickets:rate_by_link",
                args=[make_token(ticket, score=score, user=user)],
            ),
        )
        for score in reversed(SCORES)
    ]
