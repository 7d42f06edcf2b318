"""Articles suggested before a ticket is filed, and what they saved.

As a customer types a ticket's subject (on the portal's form, or to the bot
in Telegram), up to `SUGGESTIONS` articles they may read are suggested from
it and from the licence's product. One `FilingAttempt` keeps the suggestions
of one filing: each shown, each opened (through a tracked address), and how
it ended: the customer said an article solved it, filed the ticket after
all (`ticket_filed`, told by the tickets' events), or opened an article and
left (`FilingAttempt.objects.deflected`).
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.timezone import now

from accounts.models import User
from knowledge.models import (
    DEFLECTION_WAIT,
    Article,
    ArticleTranslation,
    FilingAttempt,
    Suggestion,
    one_per_article,
)
from outbox.events import Event
from tickets import answers
from tickets.models import TicketEvent

SUGGESTIONS = 5
# Fewer letters than this suggest nothing: every article shares them.
SHORTEST_SUBJECT = 3


def find(user: User, subject: str, *, product: str = "") -> list[ArticleTranslation]:
    """Up to `SUGGESTIONS` articles for the subject that the user may read
    and that apply to the product, in the user's language where they have it."""
    subject = " ".join(subject.split())
    if len(subject) < SHORTEST_SUBJECT:
        return []
    found = ArticleTranslation.objects.suggest(
        subject, reader=user, product=product, limit=SUGGESTIONS * 2
    )
    return one_per_article(found)[:SUGGESTIONS]


@transaction.atomic
def suggest(
    user: User,
    subject: str,
    *,
    channel: str,
    product: str = "",
    attempt_code: UUID | str | None = None,
) -> tuple[FilingAttempt | None, list[ArticleTranslation]]:
    """Suggest articles for the subject and record them as shown, in the
    attempt named by `attempt_code` (the user's own, not yet ended) or a new
    one. Nothing is recorded when nothing is suggested."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What was shown is a figure, not a promise: a crash may lose
            # the last of them, and no keystroke waits for the disk
            # (bench/README.md, issue 23).
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    found = find(user, subject, product=product)
    attempt = None
    if attempt_code:
        attempt = (
            FilingAttempt.objects.select_for_update()
            .filter(
                code=attempt_code,
                user=user,
                channel=channel,
                outcome=FilingAttempt.Outcome.OPEN,
            )
            .first()
        )
    if not found:
        return attempt, []
    if attempt is None:
        attempt = FilingAttempt(user=user, channel=channel)
    attempt.subject = " ".join(subject.split())[:200]
    attempt.product = product[:200]
    attempt.updated_at = now()
    attempt.save()
    Suggestion.objects.bulk_create(
        [
            Suggestion(attempt=attempt, article_id=t.article_id, position=position)
            for position, t in enumerate(found, start=1)
        ],
        ignore_conflicts=True,
    )
    return attempt, found


def tracked_url(attempt: FilingAttempt, article: Article | int) -> str:
    """The site's address of a suggested article that records its opening."""
    article_id = article if isinstance(article, int) else article.pk
    return settings.SITE_URL.rstrip("/") + reverse(
        "knowledge:suggested", args=[attempt.code, article_id]
    )


@transaction.atomic
def opened(attempt_code: UUID, article_id: int) -> Suggestion | None:
    """Record that a suggested article was opened (whoever follows the
    address: from Telegram it opens in a browser, maybe not signed in)."""
    suggestion = (
        Suggestion.objects.select_for_update()
        .select_related("attempt", "article")
        .filter(attempt__code=attempt_code, article_id=article_id)
        .first()
    )
    if suggestion is None:
        return None
    at = now()
    if suggestion.opened_at is None:
        suggestion.opened_at = at
        suggestion.save(update_fields=["opened_at"])
    attempt = suggestion.attempt
    attempt.opened_at = attempt.opened_at or at
    attempt.updated_at = at
    attempt.save(update_fields=["opened_at", "updated_at"])
    return suggestion


@transaction.atomic
def solved(user: User, attempt_code: UUID | str, article_id: int) -> bool:
    """The customer says the suggested article answered the question: the
    attempt ends as a deflection. False when the attempt is not theirs, has
    ended, or never suggested the article."""
    suggestion = (
        Suggestion.objects.select_for_update(of=("attempt",))
        .select_related("attempt")
        .filter(
            attempt__code=attempt_code,
            attempt__user=user,
            attempt__outcome=FilingAttempt.Outcome.OPEN,
            article_id=article_id,
        )
        .first()
    )
    if suggestion is None:
        return False
    at = now()
    attempt = suggestion.attempt
    attempt.outcome = FilingAttempt.Outcome.SOLVED
    attempt.solved_by_id = article_id
    attempt.opened_at = attempt.opened_at or at
    attempt.updated_at = at
    attempt.save(update_fields=["outcome", "solved_by", "opened_at", "updated_at"])
    return True


def ticket_filed(event: Event) -> None:
    """A ticket filed by a customer ends their latest attempt on its
    channel within `DEFLECTION_WAIT`: filed anyway, whatever they read or
    said of it. Listens to the tickets' events (`AppConfig.ready`)."""
    source = event.source
    if not isinstance(source, TicketEvent) or source.kind != TicketEvent.Kind.CREATED:
        return
    ticket = source.ticket
    if ticket.channel not in FilingAttempt.Channel.values:
        return
    attempt = (
        FilingAttempt.objects.filter(
            user_id=ticket.contact_id,
            channel=ticket.channel,
            outcome__in=[FilingAttempt.Outcome.OPEN, FilingAttempt.Outcome.SOLVED],
            updated_at__gte=now() - DEFLECTION_WAIT,
        )
        .order_by("-updated_at")
        .first()
    )
    if attempt is not None:
        attempt.outcome = FilingAttempt.Outcome.FILED
        attempt.ticket = ticket
        attempt.save(update_fields=["outcome", "ticket"])


class KnowledgeAnswers:
    """The knowledge base as `tickets.answers`' provider (the bot's)."""

    def offer(
        self, user: User, subject: str, *, product: str, channel: str
    ) -> answers.Offer | None:
        attempt, found = suggest(user, subject, channel=channel, product=product)
        if attempt is None or not found:
            return None
        return answers.Offer(
            key=str(attempt.code),
            answers=[
                answers.Answer(title=t.title, url=tracked_url(attempt, t.article_id))
                for t in found
            ],
        )

    def solved(self, user: User, key: str, position: int) -> bool:
        code = attempt_code(key)
        suggestion = Suggestion.objects.filter(
            attempt__code=code, position=position
        ).first()
        return suggestion is not None and solved(user, code, suggestion.article_id)


def attempt_code(value: str) -> UUID | None:
    """An attempt's code as sent back by the form or the bot; None if it is not one."""
    try:
        return UUID(value)
    except ValueError:
        return None
