"""The knowledge base's public pages: categories, articles, search, files and
the sitemap. Every read goes through `Article.objects.visible_to`."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import condition, require_POST, require_safe

from accounts.ratelimit import allow
from helpdesk.http import client_address
from knowledge import links, services
from knowledge.forms import FeedbackForm, SearchForm
from knowledge.http import changed_at, conditional_page
from knowledge.markdown import render_article
from knowledge.models import (
    SEARCH_RESULTS,
    Article,
    ArticleAttachment,
    ArticleProduct,
    ArticleTranslation,
    Category,
    SlugRedirect,
    one_per_article,
    readable_visibilities,
    reader_language,
)
from tickets.downloads import attachment_response

RELATED_ARTICLES = 5
# Feedback from one address: enough for a reader, too few to flood an author.
FEEDBACK_PER_HOUR = 20

# "The article is not in your language": a whole sentence for each pair, as
# languages name each other in different cases.
FALLBACK_NOTES = {
    ("en", "ru"): gettext_lazy(
        "This article is not available in English; showing the Russian version."
    ),
    ("ru", "en"): gettext_lazy(
        "This article is not available in Russian; showing the English version."
    ),
}
ALSO_IN = {
    "en": gettext_lazy("This article is also available in English."),
    "ru": gettext_lazy("This article is also available in Russian."),
}


@dataclass
class Entry:
    """An article as a list shows it: in the reader's language if it has it."""

    article: Article
    translation: ArticleTranslation

    @property
    def other_language(self) -> bool:
        return self.translation.language != reader_language()


def _pick(translations: Iterable[ArticleTranslation]) -> ArticleTranslation | None:
    """The translation in the reader's language, else any other."""
    chosen = None
    for translation in translations:
        if translation.language == reader_language():
            return translation
        chosen = chosen or translation
    return chosen


def _entries(articles: Iterable[Article]) -> list[Entry]:
    """Articles whose translations were prefetched, as list entries."""
    entries = []
    for article in articles:
        translation = _pick(article.translations.all())
        if translation is not None:
            entries.append(Entry(article, translation))
    return entries


def _visible(request: HttpRequest):
    """The reader's articles (the customer's support asked once a request)."""
    if not hasattr(request, "_knowledge_visible"):
        request._knowledge_visible = Article.objects.visible_to(request.user)
    return request._knowledge_visible


def _with_translations(articles):
    return articles.prefetch_related(
        Prefetch(
            "translations",
            queryset=ArticleTranslation.objects.only(
                "article_id", "language", "title", "slug"
            ),
        )
    )


class Tree:
    """The categories, read at once (a short table), and which of them lead
    to an article the reader may see: the others are not shown."""

    def __init__(self, request: HttpRequest) -> None:
        self.categories = {c.pk: c for c in Category.objects.all()}
        self.counts: dict[int, int] = defaultdict(int)
        for category_id in _visible(request).values_list("category_id", flat=True):
            for category in self.ancestry(self.categories[category_id]):
                self.counts[category.pk] += 1

    def ancestry(self, category: Category) -> list[Category]:
        """The category and its parents, the root first."""
        line, seen = [], set()
        while category is not None and category.pk not in seen:
            line.insert(0, category)
            seen.add(category.pk)
            category = self.categories.get(category.parent_id)
        return line

    def children(self, parent: Category | None) -> list[Category]:
        parent_id = parent.pk if parent else None
        return [
            c
            for c in self.categories.values()
            if c.parent_id == parent_id and self.counts[c.pk]
        ]


@login_not_required
@require_safe
@conditional_page
def index(request: HttpRequest) -> HttpResponse:
    tree = Tree(request)
    sections = [
        (
            category,
            tree.counts[category.pk],
            [(child, tree.counts[child.pk]) for child in tree.children(category)],
        )
        for category in tree.children(None)
    ]
    latest = _entries(
        _with_translations(_visible(request)).order_by("-published_at")[:5]
    )
    return render(
        request,
        "knowledge/index.html",
        {
            "sections": sections,
            "latest": latest,
            "search_form": SearchForm(),
        },
    )


@login_not_required
@require_safe
@conditional_page
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tree = Tree(request)
    category = next((c for c in tree.categories.values() if c.slug == slug), None)
    if category is None or not tree.counts[category.pk]:
        raise Http404
    articles = _entries(
        _with_translations(_visible(request).filter(category=category)).order_by(
            "-published_at", "-pk"
        )
    )
    articles.sort(key=lambda entry: entry.translation.title.casefold())
    return render(
        request,
        "knowledge/category_detail.html",
        {
            "category": category,
            "ancestry": tree.ancestry(category)[:-1],
            "children": [
                (child, tree.counts[child.pk]) for child in tree.children(category)
            ],
            "articles": articles,
            "search_form": SearchForm(),
        },
    )


def _find_translation(
    request: HttpRequest, language: str, slug: str
) -> ArticleTranslation | None:
    return (
        ArticleTranslation.objects.visible_to(request.user)
        .filter(language=language, slug=slug)
        .select_related("article__category")
        .first()
    )


@login_not_required
@require_safe
@conditional_page
def article_detail(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    translation = _find_translation(request, language, slug)
    if translation is None:
        # An old address of a text the reader may read: where it is now.
        moved = (
            SlugRedirect.objects.filter(
                language=language,
                old_slug=slug,
                translation__article__in=_visible(request),
            )
            .select_related("translation")
            .first()
        )
        if moved is None:
            raise Http404
        return redirect(moved.translation, permanent=True)
    article = translation.article
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "translation": translation,
            "parts": article_parts(request, translation),
            "feedback_form": FeedbackForm(),
            # Staff pages are never answered 304 (`knowledge.http`): the
            # count is read afresh.
            "tickets_answered": (
                links.tickets_answered(article) if request.user.is_staff else None
            ),
        },
    )


# How long an article's rendered parts are kept: any change to the knowledge
# base makes new ones sooner (their key holds the latest change).
ARTICLE_PARTS_TIMEOUT = 60 * 60
_NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def article_parts(request: HttpRequest, translation: ArticleTranslation) -> dict:
    """The article page's head links and main part (text, contents, files,
    related articles), rendered once and kept in the cache: the article
    page's target (bench/README.md, issue 23) was missed by the queries and
    templates of these parts, which change only when the knowledge base
    does. The key holds all they depend on: the text, the reader's
    language, the visibilities of the articles they may read (related
    articles) and the knowledge base's latest change (`changed_at`, which a
    deletion moves too: `knowledge.signals`). Not kept while `DEBUG`, where
    templates change under a running server."""
    key = ":".join(
        [
            "knowledge:article-parts",
            str(translation.pk),
            reader_language(),
            ",".join(readable_visibilities(request.user)),
            (changed_at(request) or _NEVER).isoformat(),
        ]
    )
    parts = None if settings.DEBUG else cache.get(key)
    if parts is None:
        parts = _render_article_parts(request, translation)
        if not settings.DEBUG:
            cache.set(key, parts, timeout=ARTICLE_PARTS_TIMEOUT)
    return parts


def _render_article_parts(
    request: HttpRequest, translation: ArticleTranslation
) -> dict[str, SafeString]:
    article = translation.article
    translations = {t.language: t for t in article.translations.all()}
    reader = reader_language()
    note, also = "", None
    if translation.language != reader:
        if reader in translations:
            note, also = ALSO_IN[reader], translations[reader]
        else:
            note = FALLBACK_NOTES.get((reader, translation.language), "")
    rendered = render_article(translation.body)
    context = {
        "article": article,
        "translation": translation,
        "alternates": [
            (code, _site_address(translations[code].get_absolute_url()))
            for code in sorted(translations)
        ],
        "canonical": _site_address(translation.get_absolute_url()),
        "note": note,
        "also": also,
        "body": rendered.html,
        "contents": rendered.contents,
        "ancestry": _ancestry(article.category),
        "attachments": article.attachments.all(),
        "related": _related(request, article),
    }
    return {
        "head": render_to_string("knowledge/_article_head.html", context),
        "main": render_to_string("knowledge/_article_main.html", context),
    }


def _site_address(path: str) -> str:
    """The address search engines are given: the site's own (SITE_URL),
    whatever host name the request came by."""
    return settings.SITE_URL.rstrip("/") + path


def _ancestry(category: Category) -> list[Category]:
    """The category and its parents, the root first (a query a level; the
    tree is shallow)."""
    line, seen = [], set()
    while category is not None and category.pk not in seen:
        line.insert(0, category)
        seen.add(category.pk)
        category = category.parent
    return line


def _related(request: HttpRequest, article: Article) -> list[Entry]:
    """Other articles of the same category, the latest first; if it has too
    few, then those for one of the same products."""
    others = _with_translations(_visible(request).exclude(pk=article.pk)).order_by(
        "-published_at", "-pk"
    )
    entries = _entries(
        others.filter(category_id=article.category_id)[:RELATED_ARTICLES]
    )
    missing = RELATED_ARTICLES - len(entries)
    products = list(article.products.values_list("product", flat=True))
    if missing and products:
        entries += _entries(
            others.exclude(category_id=article.category_id).filter(
                pk__in=ArticleProduct.objects.filter(product__in=products).values(
                    "article_id"
                )
            )[:missing]
        )
    return entries


@login_not_required
@require_safe
def article_by_code(request: HttpRequest, code: UUID) -> HttpResponse:
    """The article's language-neutral address (links from tickets, Telegram):
    its text in the reader's language, else the other."""
    return show_article(request, Q(code=code))


def show_article(
    request: HttpRequest,
    which: Q,
    *,
    language: str = "",
    shown: Callable[[], object] | None = None,
) -> HttpResponse:
    """Send the reader to the article's text: in `language` if it has one,
    else in theirs, else the other; `shown` is called when it is shown.
    Someone not signed in is asked to, when the article is published but
    not for them (the address came in a reply, an e-mail or the bot):
    signed in, they may be able to read it."""
    article = _visible(request).filter(which).first()
    translations = (
        {t.language: t for t in article.translations.all()} if article else {}
    )
    if not translations:
        published = Article.objects.filter(which, state=Article.State.PUBLISHED)
        if not request.user.is_authenticated and published.exists():
            return redirect_to_login(request.get_full_path())
        raise Http404
    if shown is not None:
        shown()
    return redirect(translations.get(language) or _pick(translations.values()))


@login_not_required
@require_POST
def feedback(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    translation = _find_translation(request, language, slug)
    if translation is None:
        raise Http404
    form = FeedbackForm(request.POST)
    if not allow(
        f"ratelimit:kb-feedback:{client_address(request)}",
        limit=FEEDBACK_PER_HOUR,
        period=3600,
    ):
        messages.error(request, _("Too many answers from your address; try later."))
    elif form.is_valid():
        services.record_feedback(
            translation.article,
            language=language,
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
            user=request.user if request.user.is_authenticated else None,
        )
        messages.success(request, _("Thank you for your answer."))
    else:
        messages.error(request, _("Choose “Yes” or “No”."))
    return redirect(translation.get_absolute_url() + "#feedback")


@login_not_required
@require_safe
@conditional_page
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    results: list[Entry] = []
    searched = form.is_valid()
    found: list[ArticleTranslation] = []
    if searched:
        found = (
            ArticleTranslation.objects.visible_to(request.user)
            .select_related("article")
            .search(form.cleaned_data["q"], limit=SEARCH_RESULTS)
        )
        results = [Entry(t.article, t) for t in one_per_article(found)]
    return render(
        request,
        "knowledge/search.html",
        {
            "search_form": form,
            "results": results,
            "searched": searched,
            # The search reads this many texts at most (the best first).
            "capped": SEARCH_RESULTS if len(found) >= SEARCH_RESULTS else 0,
        },
    )


@login_not_required
@require_safe
def attachment_download(request: HttpRequest, code: UUID) -> HttpResponse:
    """A file of an article the reader may read; staff who may see drafts
    (the admin's preview) get those of any article."""
    attachment = get_object_or_404(
        ArticleAttachment.objects.filter(
            article__in=Article.objects.visible_to(request.user, drafts=True)
        ),
        code=code,
    )
    return attachment_response(attachment, inline=request.GET.get("inline") == "1")


def _public_translations(request: HttpRequest) -> list[ArticleTranslation]:
    """What the sitemap lists: what a visitor who is not signed in may read
    (once a request)."""
    if not hasattr(request, "_knowledge_public"):
        request._knowledge_public = list(
            ArticleTranslation.objects.visible_to(AnonymousUser()).order_by(
                "article_id", "language"
            )
        )
    return request._knowledge_public


def _sitemap_last_modified(request: HttpRequest) -> datetime.datetime | None:
    # Any change counts, not only the listed articles': one made staff-only
    # leaves the list without changing what stays in it.
    return changed_at(request)


@login_not_required
@require_safe
@condition(last_modified_func=_sitemap_last_modified)
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every public article in each of its languages, with the other
    language's address as its alternate (hreflang)."""
    translations = _public_translations(request)
    by_article: dict[int, list[ArticleTranslation]] = defaultdict(list)
    for translation in translations:
        by_article[translation.article_id].append(translation)
    urls = [
        {
            "location": _site_address(translation.get_absolute_url()),
            "updated_at": translation.updated_at,
            "alternates": [
                {
                    "language": other.language,
                    "location": _site_address(other.get_absolute_url()),
                }
                for other in by_article[translation.article_id]
            ]
            if len(by_article[translation.article_id]) > 1
            else [],
        }
        for translation in translations
    ]
    return render(
        request,
        "knowledge/sitemap.xml",
        {"urls": urls},
        content_type="application/xml; charset=utf-8",
    )
