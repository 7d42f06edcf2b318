"""The knowledge base: articles in Russian and English, their categories,
history, files, the slugs they used to have, and what readers said of them."""

from __future__ import annotations

import datetime
import operator
import re
import secrets
import uuid
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import reduce
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Value, When
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import now
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.models import StoredFile

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# PostgreSQL's text search configuration for each language's text.
SEARCH_CONFIGS = {"ru": "russian", "en": "english"}


# How many results a search shows.
SEARCH_RESULTS = 30
# Shorter words typed are matched whole in suggestions: "на" is not a
# beginning worth finding everything by.
PREFIX_LETTERS = 3
# How like a title's words a search with no matching word must be (pg_trgm's
# word similarity, 0 to 1): "Рызервное копирывание" finds "Резервное
# копирование", "принтер" does not.
TYPO_SIMILARITY = 0.4
# The same where pg_trgm is missing (SQLite): how like a title's words the
# words typed must be, on average (difflib's ratio, 0 to 1).
TYPO_RATIO = 0.75
# Marks of a found word in a snippet, random per process so that no text an
# author wrote can contain them; made <mark> after the snippet is escaped.
_MARK_START = f"mark{secrets.token_hex(8)}"
_MARK_STOP = f"endmark{secrets.token_hex(8)}"
# Markdown's own signs, which a snippet of the source would show: headings,
# emphasis, code, links and images, and a table's cell borders and rules.
_MARKDOWN_SIGNS = re.compile(
    r"(^|\s)#{1,6}\s|\*\*|__|`+|!?\[|\]\([^)]*\)|\||(^|\s):?-{3,}:?(?=\s|$)"
)


def snippet_html(raw: str) -> SafeString:
    """A search snippet made safe: everything escaped, then the marks of
    found words made <mark> elements."""
    text = _MARKDOWN_SIGNS.sub(" ", raw)
    escaped = str(escape(" ".join(text.split())))
    # Safe: escaped above; the marks are letters and digits only.
    return mark_safe(
        escaped.replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>")
    )


def _marked_start(body: str, words: list[str], length: int = 300) -> str:
    """The start of the body with the words marked (where PostgreSQL's
    ts_headline is missing)."""
    start = body[:length]
    for word in words:
        start = re.sub(
            f"({re.escape(word)})",
            f"{_MARK_START}\\1{_MARK_STOP}",
            start,
            flags=re.IGNORECASE,
        )
    return start


def _long_words(text: str) -> list[str]:
    """The words of a text, casefolded, but those of `PREFIX_LETTERS` letters
    or fewer ("the", "как", "не"): they are in most titles (SQLite's
    suggestions and typos, where PostgreSQL's stop words are missing)."""
    return [w for w in re.findall(r"\w+", text.casefold()) if len(w) > PREFIX_LETTERS]


def reader_language() -> str:
    """The language the page is read in: the active one, if it is ours."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def customer_language(ticket) -> str:
    """The language a ticket's customer reads: their own, if the knowledge
    base has it, else the site's (links in replies, drafts from replies)."""
    language = ticket.contact.language if ticket.contact else ""
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def in_language(values: dict[str, str], language: str) -> str:
    """The value in the language, else the first other one that is not empty."""
    if values.get(language):
        return values[language]
    return next((value for value in values.values() if value), "")


def one_per_article(found: list[ArticleTranslation]) -> list[ArticleTranslation]:
    """Translations found, an article found in both languages once: in the
    reader's language, where the better of its two matches ranks it."""
    reader = reader_language()
    chosen: dict[int, ArticleTranslation] = {}
    for translation in found:
        kept = chosen.get(translation.article_id)
        # A replaced value keeps its key's place: the better match's.
        if kept is None or (translation.language == reader != kept.language):
            chosen[translation.article_id] = translation
    return list(chosen.values())


class Category(models.Model):
    """A node of the tree readers browse: a product, then its topics."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    product = models.CharField(
        _("product"),
        max_length=200,
        blank=True,
        help_text=_("As licences name it, e.g. Helpdesk Server; empty: any product."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("knowledge base category")
        verbose_name_plural = _("knowledge base categories")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_ru="", name_en=""), name="category_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:category", args=[self.slug])

    def clean(self) -> None:
        # A category under itself, however deep, would hide a branch of the tree.
        parent, seen = self.parent, set()
        while parent is not None and parent.pk not in seen:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A category cannot be placed under itself.")}
                )
            seen.add(parent.pk)
            parent = parent.parent

    def name_in(self, language: str) -> str:
        return in_language({"ru": self.name_ru, "en": self.name_en}, language)

    @property
    def name(self) -> str:
        return self.name_in(reader_language())


def readable_visibilities(user: User) -> tuple[str, ...]:
    """The visibilities of the published articles the user may read: anyone
    the public ones; a customer whose organisation has a licence with active
    support today also those for customers; staff all of them."""
    if not user.is_authenticated or not user.is_active:
        return (Article.Visibility.PUBLIC,)
    if user.is_staff:
        return tuple(Article.Visibility.values)
    if user.has_active_support():
        return (Article.Visibility.PUBLIC, Article.Visibility.CUSTOMERS)
    return (Article.Visibility.PUBLIC,)


def readable(user: User, via: str = "") -> Q:
    """The published articles of the visibilities `readable_visibilities`
    gives the user, as a condition on an article reached `via` a relation
    ("article__"): a text is read with its article in one join."""
    return Q(
        **{
            f"{via}state": Article.State.PUBLISHED,
            f"{via}visibility__in": readable_visibilities(user),
        }
    )


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user: User, *, drafts: bool = False) -> ArticleQuerySet:
        """The one answer to "which articles may this person read" on the site:
        its pages, search, sitemap and files.

        Only published articles are read there, of the visibilities
        `readable_visibilities` gives the user. Drafts, articles in review
        and archived ones are the admin's: with
        `drafts`, staff who may view articles there read them all (the
        admin's preview and the files it shows).
        """
        if (
            drafts
            and user.is_active
            and user.is_staff
            and user.has_perm("knowledge.view_article")
        ):
            return self.all()
        return self.filter(readable(user))

    def for_product(self, product: str) -> ArticleQuerySet:
        """Articles that apply to the product: those naming it, and those
        naming no product at all (they apply to every one)."""
        if not product:
            return self
        products = ArticleProduct.objects.filter(article=OuterRef("pk"))
        return self.filter(
            ~Exists(products) | Exists(products.filter(product__iexact=product))
        )

    def index_titles(self) -> None:
        """Rewrite these articles' rows of `SuggestedTitle`: one for each
        translation of a published article. The services call it after each
        change to a text, a state, a visibility or the products."""
        SuggestedTitle.objects.filter(article__in=self.values("pk")).delete()
        published = self.filter(state=Article.State.PUBLISHED).prefetch_related(
            "products",
            models.Prefetch(
                "translations",
                ArticleTranslation.objects.only("article", "language", "title"),
            ),
        )
        SuggestedTitle.objects.bulk_create(
            [
                SuggestedTitle(
                    translation=translation,
                    article=article,
                    language=translation.language,
                    title=translation.title,
                    visibility=article.visibility,
                    products=SuggestedTitle.products_key(
                        p.product for p in article.products.all()
                    ),
                )
                for article in published
                for translation in article.translations.all()
            ],
            batch_size=1000,
        )
        if connections[self.db].vendor == "postgresql":
            for language, config in SEARCH_CONFIGS.items():
                SuggestedTitle.objects.filter(
                    article__in=published.values("pk"), language=language
                ).update(title_vector=SearchVector("title", config=config))


class Article(models.Model):
    """An article, whatever its language: where it sits, whom it is for, its
    state. Its text is in its translations, one per language."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CUSTOMERS = "customers", _("Customers with active support")
        STAFF = "staff", _("Staff only")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    ALLOWED_TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        State.DRAFT: frozenset({State.REVIEW}),
        State.REVIEW: frozenset({State.DRAFT, State.PUBLISHED}),
        State.PUBLISHED: frozenset({State.ARCHIVED, State.DRAFT}),
        State.ARCHIVED: frozenset({State.DRAFT}),
    }

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("category"),
    )
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility, default=Visibility.PUBLIC
    )
    # Changed by `services.move_article` alone.
    state = models.CharField(
        _("state"), max_length=16, choices=State, default=State.DRAFT, editable=False
    )
    author = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
        editable=False,
    )
    reviewer = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
        editable=False,
    )
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    # Indexed: the latest change is every page's ETag (`knowledge.http`).
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", _("Can publish, archive and edit published articles"))
        ]
        indexes = [
            # A category's page: `visible_to(user).filter(category=...)`.
            models.Index(
                fields=["category", "-published_at"],
                condition=Q(state="published"),
                name="article_published_in_category",
            ),
        ]

    def __str__(self) -> str:
        titles = {t.language: t.title for t in self.translations.all()}
        return in_language(titles, reader_language()) or str(self.code)

    def get_absolute_url(self) -> str:
        # Language-neutral: the reader is sent on to their language's version.
        return reverse("knowledge:article_by_code", args=[self.code])

    def can_move_to(self, state: str) -> bool:
        return state in self.ALLOWED_TRANSITIONS.get(self.state, frozenset())


class ArticleProduct(models.Model):
    """A product, and optionally an edition, the article applies to, named
    as licences name them (`Licence.product`, `Licence.edition`). An article
    with none applies to every product."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="products"
    )
    product = models.CharField(_("product"), max_length=200)
    edition = models.CharField(
        _("edition"), max_length=200, blank=True, help_text=_("Empty: every edition.")
    )

    class Meta:
        verbose_name = _("product the article applies to")
        verbose_name_plural = _("products the article applies to")
        ordering = ["product", "edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "product", "edition"],
                name="article_product_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.edition}".strip()


def _per_language(make) -> Case:
    """A value made for each language's texts in its own way."""
    return Case(
        *[When(language=language, then=make(language)) for language in SEARCH_CONFIGS]
    )


class ArticleTranslationQuerySet(models.QuerySet["ArticleTranslation"]):
    def visible_to(self, user: User) -> ArticleTranslationQuerySet:
        """Translations of the articles `Article.objects.visible_to` lets them read."""
        return self.filter(readable(user, via="article__"))

    def search(
        self, text: str, *, snippets: bool = True, limit: int = SEARCH_RESULTS
    ) -> list[ArticleTranslation]:
        """The translations with every word of the text, most relevant first,
        each with `snippet` (safe HTML, found words in <mark>; empty without
        `snippets`): the knowledge base's search and the composer's.

        On PostgreSQL each language is searched in its own configuration
        (`SEARCH_CONFIGS`: Russian words stemmed as Russian, English as
        English), ranked by `ts_rank` with the title above the body; when no
        word matches, titles similar to the text are found instead
        (trigrams: typos, a wrong ending). Elsewhere (SQLite, `make run`)
        every word is a substring of the title or the body, else titles
        with words like them (`_titles_like`).
        """
        text = " ".join(text.split()[:10])[:200]
        if not text:
            return []
        if connections[self.db].vendor != "postgresql":
            return self._substring_search(text, limit=limit) or self._titles_like(
                text, limit=limit
            )
        queries = {
            language: SearchQuery(text, config=config, search_type="websearch")
            for language, config in SEARCH_CONFIGS.items()
        }
        headline = _per_language(
            lambda language: SearchHeadline(
                "body",
                queries[language],
                config=SEARCH_CONFIGS[language],
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
            )
        )
        headline = headline if snippets else Value("")
        return self._ranked(
            matches=Q(
                *[
                    Q(language=language, search_vector=query)
                    for language, query in queries.items()
                ],
                _connector=Q.OR,
            ),
            rank=_per_language(
                lambda language: SearchRank(F("search_vector"), queries[language])
            ),
            headline=headline,
            limit=limit,
        ) or self._similar_titles(text, headline=headline, limit=limit)

    def suggest(
        self, text: str, *, reader: User, product: str = "", limit: int
    ) -> list[ArticleTranslation]:
        """The titles matching a subject as it is typed among the articles
        the reader may read that apply to the product, the best first: with
        all its words, else any of them, the last also as the start of a
        longer one ("резерв" finds "резервного"); else titles like it
        (typos). Titles only: a subject's words ("ошибка", "настройка") are
        in thousands of bodies, and ranking them all costs more than a
        keystroke may. Both languages' stems are looked for in every title
        of `SuggestedTitle`: one index scan of narrow rows. On SQLite:
        `_titles_sharing_stems`."""
        text = " ".join(text.split()[:10])[:200]
        articles = Article.objects.visible_to(reader)
        applicable = self.filter(article__in=articles.for_product(product).values("pk"))
        if not text:
            return []
        if connections[self.db].vendor != "postgresql":
            return applicable._titles_sharing_stems(text, limit=limit)
        # Only letters and digits reach to_tsquery: nothing typed can break it.
        words = re.findall(r"\w+", text)
        if not words:
            return []
        if len(words[-1]) >= PREFIX_LETTERS:
            words[-1] += ":*"

        # Short words are a stop word or one being typed: no title need
        # have them all.
        whole = [w for w in words if len(w.removesuffix(":*")) >= PREFIX_LETTERS]
        # Titles with every whole word first: the best answers, and few of
        # them to rank; then without the last (a word half typed, or one no
        # title has); any word only when neither finds a title.
        tries = [(" & ", whole)] if len(whole) > 1 else []
        if len(whole) > 2:
            tries.append((" & ", whole[:-1]))
        tries.append((" | ", words))

        def query(joined_by: str, chosen: list[str]) -> SearchQuery:
            return reduce(
                operator.or_,
                [
                    SearchQuery(
                        joined_by.join(chosen), config=config, search_type="raw"
                    )
                    for config in SEARCH_CONFIGS.values()
                ],
            )

        titles = SuggestedTitle.objects.using(self.db).offered_to(
            reader, product=product
        )
        for joined_by, chosen in tries:
            ranked = list(
                titles.filter(title_vector=query(joined_by, chosen))
                .annotate(rank=SearchRank(F("title_vector"), query(joined_by, chosen)))
                .order_by("-rank", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            if ranked:
                # Read again as the reader may read them: a row behind its
                # article hides it. (The product only makes a title less
                # apt; the copy's word on it is taken.)
                found = self.filter(article__in=articles.values("pk")).in_bulk(ranked)
                return [found[pk] for pk in ranked if pk in found]
        return applicable._similar_titles(text, headline=Value(""), limit=limit)

    def _ranked(
        self, *, matches: Q, rank, headline, limit: int
    ) -> list[ArticleTranslation]:
        found = list(
            self.filter(matches)
            .annotate(rank=rank, headline=headline)
            .order_by("-rank", "pk")[:limit]
        )
        for translation in found:
            translation.snippet = snippet_html(translation.headline)
        return found

    def _similar_titles(
        self, typed: str, *, headline, limit: int
    ) -> list[ArticleTranslation]:
        """Titles like the text typed, when no word of it matched: typos."""
        # Served by the trigram index on the title (migration 0001). The
        # default threshold (0.6) misses a typo in each of two words.
        with transaction.atomic(using=self.db, savepoint=False):
            with connections[self.db].cursor() as cursor:
                cursor.execute(
                    "SET LOCAL pg_trgm.word_similarity_threshold = %s",
                    [TYPO_SIMILARITY],
                )
            found = list(
                self.filter(title__trigram_word_similar=typed)
                .annotate(rank=TrigramWordSimilarity(typed, "title"), headline=headline)
                .order_by("-rank", "pk")[:limit]
            )
        for translation in found:
            translation.snippet = snippet_html(translation.headline)
        return found

    def _substring_search(self, text: str, *, limit: int) -> list[ArticleTranslation]:
        # CASEFOLD is Python's, registered on every SQLite connection
        # (helpdesk.sqlite), as the tickets' search uses it.
        words = text.casefold().split()
        each = [
            Q(Contains(Func(F("title"), function="CASEFOLD"), word))
            | Q(Contains(Func(F("body"), function="CASEFOLD"), word))
            for word in words
        ]
        match = reduce(operator.and_, each)
        found = list(self.filter(match).order_by("-updated_at", "pk")[:limit])
        for translation in found:
            translation.snippet = snippet_html(_marked_start(translation.body, words))
        return found

    def _titles_sharing_stems(
        self, text: str, *, limit: int
    ) -> list[ArticleTranslation]:
        """Suggestions where PostgreSQL's stemming and ranking are missing
        (SQLite, `make run`): titles holding the start of a word of the text,
        the most words first. A word loses its last two letters, as endings
        vary ("почту" finds "почтовых", "backup" "backups"); short words
        only when there is no other (`_long_words`)."""
        chosen = _long_words(text) or re.findall(r"\w+", text.casefold())
        stems = {w[: max(PREFIX_LETTERS, len(w) - 2)] for w in chosen}
        if not stems:
            return []
        title = Func(F("title"), function="CASEFOLD")
        shared = reduce(
            operator.add,
            [Case(When(Contains(title, stem), then=1), default=0) for stem in stems],
        )
        return list(
            self.annotate(shared=shared)
            .filter(shared__gt=0)
            .order_by("-shared", "-updated_at", "pk")[:limit]
        ) or self._titles_like(text, limit=limit)

    def _titles_like(self, text: str, *, limit: int) -> list[ArticleTranslation]:
        """Typos where pg_trgm is missing (SQLite, `make run`): titles in
        which each long word typed has a word like it (difflib's ratio, on
        average at least `TYPO_RATIO`), the likest first. Reads every
        title: SQLite serves the demo's few."""
        typed = _long_words(text)
        if not typed:
            return []
        scored = []
        for translation in self.order_by("pk"):
            words = re.findall(r"\w+", translation.title.casefold())
            likeness = sum(
                max((SequenceMatcher(None, t, w).ratio() for w in words), default=0)
                for t in typed
            ) / len(typed)
            if likeness >= TYPO_RATIO:
                translation.snippet = snippet_html(translation.body[:300])
                scored.append((-likeness, translation.pk, translation))
        return [translation for *_key, translation in sorted(scored)[:limit]]

    def refresh_search_vector(self) -> int:
        """Rebuild `search_vector` from the title (weight A) and the body (B),
        each language in its own configuration (PostgreSQL only; a no-op
        elsewhere). `services.save_translation` calls it after each save."""
        if connections[self.db].vendor != "postgresql":
            return 0
        changed = 0
        for language, config in SEARCH_CONFIGS.items():
            changed += self.filter(language=language).update(
                search_vector=SearchVector("title", weight="A", config=config)
                + SearchVector("body", weight="B", config=config),
            )
        return changed


class ArticleTranslationManager(
    models.Manager.from_queryset(ArticleTranslationQuerySet)
):
    def get_queryset(self) -> ArticleTranslationQuerySet:
        # The vector is the database's alone; a translation saved whole
        # must not write back one read before the text changed.
        return super().get_queryset().defer("search_vector")


class ArticleTranslation(models.Model):
    """An article's text in one language: the title, the slug of its address
    and the body in Markdown (sanitised as tickets' messages are)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        help_text=_("The end of the article's address; the old one keeps working."),
    )
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleTranslationManager()

    class Meta:
        verbose_name = _("article text")
        verbose_name_plural = _("article texts")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="article_text_once_per_language"
            ),
            # Also the index of the article page's look-up.
            models.UniqueConstraint(
                fields=["language", "slug"], name="article_slug_unique_per_language"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.language, self.slug])


# The typo-tolerant search's `title %> text` (`ArticleTranslationQuerySet.search`),
# registered on this field alone: installing django.contrib.postgres for it
# would cost every new connection a query for its types.
ArticleTranslation._meta.get_field("title").register_lookup(TrigramWordSimilar)


class SuggestedTitleQuerySet(models.QuerySet["SuggestedTitle"]):
    def offered_to(self, user: User, *, product: str = "") -> SuggestedTitleQuerySet:
        """The titles of articles the user may read (`readable_visibilities`)
        that apply to the product: where suggestions look first. What they
        find is then read through `Article.objects.visible_to`, so a row
        not yet rewritten can only hide an article, never show one."""
        titles = self.filter(visibility__in=readable_visibilities(user))
        if not product:
            return titles
        return titles.filter(
            Q(products="")
            | Q(products__contains=SuggestedTitle.products_key([product]))
        )


class SuggestedTitle(models.Model):
    """A published article's title in one language, beside what decides who
    is offered it: the narrow copy that suggestions search as a subject is
    typed (`ArticleTranslationQuerySet.suggest`). One index scan of small
    rows answers, without reading the texts or joining the articles and
    their products for every title that shares a word (bench/README.md,
    issue 23). Written by `ArticleQuerySet.index_titles` alone."""

    translation = models.OneToOneField(
        ArticleTranslation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=300)
    visibility = models.CharField(max_length=16, choices=Article.Visibility)
    # The products the article applies to, casefolded, each between bars
    # ("|report designer|print server|"); empty: every product.
    products = models.TextField(blank=True)
    # Indexed on PostgreSQL alone (GIN, migration 0007), for `suggest`.
    title_vector = SearchVectorField(null=True)

    objects = SuggestedTitleQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def products_key(products: Iterable[str]) -> str:
        names = sorted({name.strip().casefold() for name in products} - {""})
        return "".join(f"|{name}" for name in names) + "|" if names else ""


class ArticleRevision(models.Model):
    """A translation as it was saved: the history, its diffs and what a
    restore brings back. A removed translation keeps its history."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), default=now)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # An article's history in one language, newest first (the admin's
            # history page and `previous`).
            models.Index(
                fields=["article", "language", "-created_at", "-id"],
                name="article_revision_history",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language}, {self.created_at:%Y-%m-%d %H:%M})"

    def previous(self) -> ArticleRevision | None:
        """The revision of the same text saved just before this one."""
        return (
            ArticleRevision.objects.filter(
                article_id=self.article_id, language=self.language
            )
            .filter(
                Q(created_at__lt=self.created_at)
                | Q(created_at=self.created_at, pk__lt=self.pk)
            )
            .order_by("-created_at", "-pk")
            .first()
        )


class ArticleStateChange(models.Model):
    """An article moved from one state to another (`services.move_article`):
    who sent it for review, who published or archived it, and when."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="state_changes"
    )
    old_state = models.CharField(
        _("state before"), max_length=16, choices=Article.State
    )
    new_state = models.CharField(_("state after"), max_length=16, choices=Article.State)
    by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), default=now)

    class Meta:
        verbose_name = _("article state change")
        verbose_name_plural = _("article state changes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["article", "-created_at"], name="article_state_history"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.old_state} → {self.new_state}"


class SlugRedirect(models.Model):
    """An address a translation used to have: it answers with a permanent
    redirect to the translation's address now."""

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    old_slug = models.SlugField(_("old slug"), max_length=200)
    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="redirects"
    )
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("old article address")
        verbose_name_plural = _("old article addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "old_slug"], name="slug_redirect_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language}/{self.old_slug}"


class ArticleFeedback(models.Model):
    """A reader's "was this helpful?", with what they added; the comment is
    sent to the article's author."""

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("article"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reader"),
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


def attachment_path(instance: ArticleAttachment, filename: str) -> str:
    # Stored under a generated name, as tickets' files: the uploaded name
    # never reaches the disk.
    return f"knowledge/{now():%Y/%m}/{uuid.uuid4().hex}"


class ArticleAttachment(StoredFile):
    """A file of an article: a picture its text shows, or a download.
    Stored and served as tickets' attachments are (`tickets.downloads`)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("article file")
        verbose_name_plural = _("article files")

    def get_absolute_url(self) -> str:
        return reverse("knowledge:file", args=[self.code])

    @property
    def markdown(self) -> str:
        """What an author writes in the text to show or link the file."""
        url = self.get_absolute_url()
        name = self.original_name.replace("]", "").replace("[", "")
        if self.is_image:
            return f"![{name}]({url}?inline=1)"
        return f"[{name}]({url})"


# How long after a customer's last step (a suggestion shown or opened) an
# attempt with an opened article and no ticket counts as one that article
# saved: by then the customer has left the form or the bot.
DEFLECTION_WAIT = datetime.timedelta(hours=1)


def left_after_opening(at: datetime.datetime, prefix: str = "") -> Q:
    """Attempts (through `prefix`, e.g. "attempt__") whose customer opened an
    article and left without filing: `DEFLECTION_WAIT` passed since their
    last step, as of `at`."""
    return Q(
        **{
            f"{prefix}outcome": FilingAttempt.Outcome.OPEN,
            f"{prefix}opened_at__isnull": False,
            f"{prefix}updated_at__lt": at - DEFLECTION_WAIT,
        }
    )


def deflected_attempts(at: datetime.datetime) -> Q:
    """Attempts the knowledge base answered: the customer said an article
    solved it, or opened one and left without filing (as of `at`)."""
    return Q(outcome=FilingAttempt.Outcome.SOLVED) | left_after_opening(at)


class FilingAttemptQuerySet(models.QuerySet["FilingAttempt"]):
    def deflected(self, at: datetime.datetime | None = None) -> FilingAttemptQuerySet:
        """The attempts `deflected_attempts` counts."""
        return self.filter(deflected_attempts(at or now()))


class FilingAttempt(models.Model):
    """A customer about to file a ticket, and the articles suggested to them
    from the subject as they typed it: on the portal's form or in the bot.
    It ends solved ("this answered it"), filed (a ticket after all), or
    left with an article opened (a deflection, `deflected`)."""

    class Channel(models.TextChoices):
        WEB = "web", _("Portal")
        TELEGRAM = "telegram", _("Telegram")

    class Outcome(models.TextChoices):
        OPEN = "", _("Not finished")
        SOLVED = "solved", _("An article answered it")
        FILED = "filed", _("Filed a ticket")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    subject = models.CharField(_("subject"), max_length=200)
    product = models.CharField(_("product"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome, default=Outcome.OPEN, blank=True
    )
    opened_at = models.DateTimeField(_("first article opened"), null=True, blank=True)
    solved_by = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket filed"),
    )
    created_at = models.DateTimeField(_("created"), default=now, db_index=True)
    updated_at = models.DateTimeField(_("last step"), default=now)

    objects = FilingAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("filing attempt with suggestions")
        verbose_name_plural = _("filing attempts with suggestions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A filed ticket finds the attempt it ends (`deflection.ticket_filed`):
            # the customer's latest on the channel, open or said solved.
            models.Index(
                fields=["user", "channel", "-updated_at"],
                name="filing_attempt_latest",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Suggestion(models.Model):
    """An article suggested in an attempt, and whether it was opened."""

    attempt = models.ForeignKey(
        FilingAttempt, on_delete=models.CASCADE, related_name="suggestions"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="suggestions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    shown_at = models.DateTimeField(_("shown"), default=now, db_index=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggested article")
        verbose_name_plural = _("suggested articles")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "article"], name="suggestion_once_per_attempt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.article_id}"


class TicketArticle(models.Model):
    """An article tied to a ticket: linked from a reply (the link is tracked)
    or written from the ticket's answer. The article page tells staff how
    many tickets it answered."""

    class Kind(models.TextChoices):
        LINK = "link", _("Linked in a reply")
        SOURCE = "source", _("Written from the ticket")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="ticket_links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("ticket"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.LINK)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    added_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created"), default=now)
    # When a message carrying the link was sent (a link inserted and then
    # deleted from the reply never reaches anyone).
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    opens = models.PositiveIntegerField(_("opened"), default=0)

    class Meta:
        verbose_name = _("article linked to a ticket")
        verbose_name_plural = _("articles linked to tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "ticket"], name="ticket_article_pair"),
            models.Index(fields=["ticket"], name="ticket_article_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.ticket_id}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:link", args=[self.code])
