"""What the knowledge base did for support over a period, for supervisors:
suggestions shown and opened, the filings they saved (deflections) and
those filed anyway, the articles that deflect most and least, links sent in
replies and opened, and the articles readers found unhelpful."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.timezone import now

from knowledge.models import (
    ArticleFeedback,
    ArticleTranslation,
    FilingAttempt,
    Suggestion,
    TicketArticle,
    deflected_attempts,
    in_language,
    left_after_opening,
    reader_language,
)

PERIODS = (7, 30, 90)
LISTED = 10
# An article shown fewer times says too little about how well it deflects.
FEWEST_SHOWINGS = 5
UNHELPFUL_COMMENTS = 3


@dataclass
class ChannelFigures:
    channel: str
    attempts: int = 0
    deflected: int = 0
    filed: int = 0


@dataclass
class ArticleFigures:
    article_id: int
    title: str = ""
    shown: int = 0
    opened: int = 0
    deflected: int = 0
    filed: int = 0

    @property
    def rate(self) -> float:
        return self.deflected / self.shown if self.shown else 0.0


@dataclass
class Unhelpful:
    article_id: int
    title: str
    no: int
    yes: int
    comments: list[str] = field(default_factory=list)


@dataclass
class Figures:
    since: datetime.datetime
    attempts: int
    shown: int
    opened: int
    deflected: int
    solved: int
    filed: int
    channels: list[ChannelFigures]
    best: list[ArticleFigures]
    worst: list[ArticleFigures]
    links_sent: int
    links_opened: int
    unhelpful: list[Unhelpful]

    @property
    def deflection_percent(self) -> int | None:
        return round(100 * self.deflected / self.attempts) if self.attempts else None


def _titles(article_ids: set[int]) -> dict[int, str]:
    by_article: dict[int, dict[str, str]] = {}
    for article_id, language, title in ArticleTranslation.objects.filter(
        article_id__in=article_ids
    ).values_list("article_id", "language", "title"):
        by_article.setdefault(article_id, {})[language] = title
    return {
        article_id: in_language(titles, reader_language())
        for article_id, titles in by_article.items()
    }


def figures(days: int, at: datetime.datetime | None = None) -> Figures:
    at = at or now()
    since = at - datetime.timedelta(days=days)
    attempts = FilingAttempt.objects.filter(created_at__gte=since)
    channels = {
        row["channel"]: ChannelFigures(
            channel=FilingAttempt.Channel(row["channel"]).label,
            attempts=row["attempts"],
            deflected=row["deflected"],
            filed=row["filed"],
        )
        for row in attempts.order_by()
        .values("channel")
        .annotate(
            attempts=Count("pk"),
            deflected=Count("pk", filter=deflected_attempts(at)),
            filed=Count("pk", filter=Q(outcome=FilingAttempt.Outcome.FILED)),
        )
    }
    totals = attempts.aggregate(
        solved=Count("pk", filter=Q(outcome=FilingAttempt.Outcome.SOLVED)),
    )
    # An article is credited with a deflection when it was the one that
    # solved the question, or was opened before the customer left.
    per_article = {
        row["article_id"]: ArticleFigures(
            article_id=row["article_id"],
            shown=row["shown"],
            opened=row["opened"],
            deflected=row["solved"] + row["left"],
            filed=row["filed"],
        )
        for row in Suggestion.objects.filter(attempt__created_at__gte=since)
        .order_by()
        .values("article_id")
        .annotate(
            shown=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            solved=Count(
                "pk",
                filter=Q(
                    attempt__outcome=FilingAttempt.Outcome.SOLVED,
                    attempt__solved_by=F("article"),
                ),
            ),
            left=Count(
                "pk",
                filter=Q(opened_at__isnull=False) & left_after_opening(at, "attempt__"),
            ),
            filed=Count(
                "pk",
                filter=Q(
                    opened_at__isnull=False,
                    attempt__outcome=FilingAttempt.Outcome.FILED,
                ),
            ),
        )
    }
    best = sorted(
        (a for a in per_article.values() if a.deflected),
        key=lambda a: (-a.deflected, -a.shown, a.article_id),
    )[:LISTED]
    worst = sorted(
        (a for a in per_article.values() if a.shown >= FEWEST_SHOWINGS),
        key=lambda a: (a.rate, -a.shown, a.article_id),
    )[:LISTED]
    unhelpful = _unhelpful(since)
    titles = _titles(
        {a.article_id for a in best + worst} | {u.article_id for u in unhelpful}
    )
    for listed in (*best, *worst, *unhelpful):
        listed.title = titles.get(listed.article_id, "") or listed.title
    links = TicketArticle.objects.filter(
        kind=TicketArticle.Kind.LINK, sent_at__gte=since
    ).aggregate(sent=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)))
    return Figures(
        since=since,
        attempts=sum(c.attempts for c in channels.values()),
        shown=sum(a.shown for a in per_article.values()),
        opened=sum(a.opened for a in per_article.values()),
        deflected=sum(c.deflected for c in channels.values()),
        solved=totals["solved"],
        filed=sum(c.filed for c in channels.values()),
        channels=[channels[c] for c in FilingAttempt.Channel.values if c in channels],
        best=best,
        worst=worst,
        links_sent=links["sent"],
        links_opened=links["opened"],
        unhelpful=unhelpful,
    )


def _unhelpful(since: datetime.datetime) -> list[Unhelpful]:
    """Articles readers called unhelpful in the period, most often first,
    with their latest comments: the ones to review."""
    rows = list(
        ArticleFeedback.objects.filter(created_at__gte=since)
        .order_by()
        .values("article_id")
        .annotate(
            no=Count("pk", filter=Q(helpful=False)),
            yes=Count("pk", filter=Q(helpful=True)),
        )
        .filter(no__gt=0)
        .order_by("-no", "article_id")[:LISTED]
    )
    listed = [
        Unhelpful(article_id=row["article_id"], title="", no=row["no"], yes=row["yes"])
        for row in rows
    ]
    by_article = {u.article_id: u for u in listed}
    for article_id, comment in (
        ArticleFeedback.objects.filter(
            article_id__in=by_article, helpful=False, created_at__gte=since
        )
        .exclude(comment="")
        .order_by("-created_at")
        .values_list("article_id", "comment")
    ):
        comments = by_article[article_id].comments
        if len(comments) < UNHELPFUL_COMMENTS:
            comments.append(comment)
    return listed
