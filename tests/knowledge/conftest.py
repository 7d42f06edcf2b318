"""Articles as the services make them, and the readers of the visibility rule."""

from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import localdate

from accounts.models import User
from knowledge import services
from knowledge.models import Article, Category
from tests.factories import LicenceFactory
from tests.tickets.conftest import _media_in_tmp  # noqa: F401 (an autouse fixture)
from tests.tickets.telegram.conftest import (  # noqa: F401 (the bot's fixtures)
    bot_api,
    customer_chat,
    telegram,
)


def make_article(
    category: Category,
    *,
    author: User,
    reviewer: User | None,
    ru: tuple[str, str, str] | None = None,
    en: tuple[str, str, str] | None = None,
    visibility: str = Article.Visibility.PUBLIC,
    products: tuple[tuple[str, str], ...] = (),
) -> Article:
    """An article with its texts, each (title, slug, body); published by the
    reviewer unless none is given (then a draft)."""
    article = Article.objects.create(
        category=category, visibility=visibility, author=author
    )
    for product, edition in products:
        article.products.create(product=product, edition=edition)
    for language, text in (("ru", ru), ("en", en)):
        if text is not None:
            title, slug, body = text
            services.save_translation(
                article, language=language, title=title, slug=slug, body=body, by=author
            )
    if reviewer is not None:
        services.move_article(article, to=Article.State.REVIEW, by=author)
        services.move_article(article, to=Article.State.PUBLISHED, by=reviewer)
    article.refresh_from_db()
    return article


@pytest.fixture
def category(db) -> Category:
    root = Category.objects.create(
        name_ru="Helpdesk Server", name_en="Helpdesk Server", slug="server"
    )
    return Category.objects.create(
        parent=root, name_ru="Настройка", name_en="Configuration", slug="server-config"
    )


@pytest.fixture
def publish(category, agent, supervisor):
    """Publish an article by the agent, reviewed by the supervisor."""

    def make(**fields) -> Article:
        fields.setdefault("author", agent)
        fields.setdefault("reviewer", supervisor)
        return make_article(fields.pop("category", category), **fields)

    return make


@pytest.fixture
def supported_customer(customer, active_licence) -> User:
    """A customer whose organisation has a licence with active support."""
    return customer


@pytest.fixture
def lapsed_customer(outsider, other_organisation) -> User:
    """A contact of another organisation, whose only licence's support ended."""
    LicenceFactory(
        organisation=other_organisation,
        number="BETA-0001-AAAA-0001",
        purchased_on=localdate() - datetime.timedelta(days=500),
    )
    return outsider
