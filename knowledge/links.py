"""Articles linked from support's replies: the agent finds one from the
composer and inserts its tracked address in the customer's language; the
reply that carries it ties the article to the ticket; the customer's visits
are counted. The article page then tells staff how many tickets it answered."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Q
from django.utils.timezone import now

from accounts.models import User
from knowledge.models import (
    Article,
    ArticleQuerySet,
    ArticleTranslation,
    TicketArticle,
    customer_language,
    one_per_article,
)
from outbox.events import Event
from tickets.models import Message, Ticket, TicketEvent

FOUND_FOR_COMPOSER = 8
# A tracked address in a message's text: …/kb/l/<code>/
_TRACKED = re.compile(
    r"/kb/l/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/"
)


def _reader(ticket: Ticket) -> tuple[User | AnonymousUser, str]:
    """Who reads what a reply links to, and for which product."""
    product = ticket.licence.product if ticket.licence_id else ""
    return ticket.contact or AnonymousUser(), product


def for_customer(ticket: Ticket) -> ArticleQuerySet:
    """Articles the ticket's customer may read, for its licence's product:
    what a reply may link to."""
    reader, product = _reader(ticket)
    return Article.objects.visible_to(reader).for_product(product)


def find_for_ticket(ticket: Ticket, text: str) -> list[ArticleTranslation]:
    """Articles for the composer, found by their titles as the agent types
    (`ArticleTranslation.objects.suggest`) among those the customer may
    read, each in the customer's language where it has one (whichever
    language the words were found in)."""
    reader, product = _reader(ticket)
    found = one_per_article(
        ArticleTranslation.objects.select_related("article").suggest(
            text, reader=reader, product=product, limit=FOUND_FOR_COMPOSER * 2
        )
    )[:FOUND_FOR_COMPOSER]
    theirs = {
        t.article_id: t
        for t in ArticleTranslation.objects.filter(
            article_id__in=[t.article_id for t in found],
            language=customer_language(ticket),
        ).select_related("article")
    }
    return [theirs.get(t.article_id, t) for t in found]


def link(ticket: Ticket, article: Article, *, by: User) -> tuple[TicketArticle, str]:
    """A tracked link to the article for the ticket's reply, and the
    Markdown to insert: the title in the customer's language, else the other."""
    language = customer_language(ticket)
    translations = {t.language: t for t in article.translations.all()}
    translation = translations.get(language) or next(iter(translations.values()))
    tracked = TicketArticle.objects.create(
        article=article,
        ticket=ticket,
        kind=TicketArticle.Kind.LINK,
        language=translation.language,
        added_by=by,
    )
    title = translation.title.replace("[", "(").replace("]", ")")
    address = settings.SITE_URL.rstrip("/") + tracked.get_absolute_url()
    return tracked, f"[{title}]({address})"


def message_sent(event: Event) -> None:
    """A reply reached the customer: the tracked links in it now count as
    the article answering the ticket. Listens to the tickets' events."""
    source = event.source
    if not isinstance(source, TicketEvent) or source.kind != TicketEvent.Kind.MESSAGE:
        return
    message = source.message
    if message is None or message.kind != Message.Kind.REPLY:
        return
    codes = set(_TRACKED.findall(message.body))
    if codes:
        TicketArticle.objects.filter(
            ticket_id=source.ticket_id, code__in=codes, sent_at=None
        ).update(sent_at=now())


def opened(tracked: TicketArticle, user: User | AnonymousUser) -> None:
    """A tracked link followed to the article; staff checking it are not
    counted."""
    if not (user.is_authenticated and user.is_staff):
        TicketArticle.objects.filter(pk=tracked.pk).update(
            opens=F("opens") + 1, opened_at=tracked.opened_at or now()
        )


def tickets_answered(article: Article) -> int:
    """How many tickets the article answered: linked in a reply that was
    sent, or written from the ticket."""
    return (
        TicketArticle.objects.filter(article=article)
        .filter(Q(kind=TicketArticle.Kind.SOURCE) | Q(sent_at__isnull=False))
        .values("ticket_id")
        .distinct()
        .count()
    )
