"""The narrow copy of published titles that suggestions search
(`SuggestedTitle`): it follows every change that decides who is offered an
article, and a row not yet rewritten never shows what must not be seen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from knowledge import deflection, services
from knowledge.models import Article, SuggestedTitle
from tests.auth import sign_in
from tests.knowledge.test_admin import _form

pytestmark = pytest.mark.django_db

SUBJECT = "резервное копирование"


def rows() -> set[tuple]:
    return set(
        SuggestedTitle.objects.values_list(
            "translation_id",
            "article_id",
            "language",
            "title",
            "visibility",
            "products",
        )
    )


def rebuilt() -> set[tuple]:
    """What the table would hold if every article were written afresh."""
    kept = rows()
    Article.objects.all().index_titles()
    fresh = rows()
    assert kept == fresh, "the copy had fallen behind the articles"
    return fresh


def titles(user, product: str = "") -> set[str]:
    return {t.title for t in deflection.find(user, SUBJECT, product=product)}


def test_the_copy_follows_texts_and_states(publish, supervisor) -> None:
    article = publish(
        ru=("Резервное копирование", "backup-ru", "Текст."),
        en=("Backup", "backup", "Text."),
        products=(("Helpdesk Server", ""), ("Mail Gateway", "Pro")),
    )
    assert {(r[2], r[3], r[5]) for r in rebuilt()} == {
        ("ru", "Резервное копирование", "|helpdesk server|mail gateway|"),
        ("en", "Backup", "|helpdesk server|mail gateway|"),
    }

    services.save_translation(
        article,
        language="ru",
        title="Резервное копирование базы",
        slug="backup-ru",
        body="Текст.",
        by=supervisor,
    )
    assert {r[3] for r in rebuilt()} == {"Резервное копирование базы", "Backup"}

    services.delete_translation(article.translations.get(language="en"), by=supervisor)
    assert {r[2] for r in rebuilt()} == {"ru"}

    services.move_article(article, to=Article.State.ARCHIVED, by=supervisor)
    assert rebuilt() == set()

    services.move_article(article, to=Article.State.DRAFT, by=supervisor)
    assert rebuilt() == set()


def test_the_admin_s_visibility_and_products_reach_suggestions(
    client, publish, supervisor, supported_customer
) -> None:
    article = publish(
        ru=("Резервное копирование", "backup-ru", "Текст."),
        visibility=Article.Visibility.STAFF,
    )
    translation = article.translations.get()
    assert titles(supported_customer) == set()
    sign_in(client, supervisor)

    data = _form(
        article.category,
        [("ru", translation.title, translation.slug, translation.body, translation.pk)],
        existing=1,
        article=article,
    )
    data.update(
        {
            "visibility": Article.Visibility.CUSTOMERS,
            "products-TOTAL_FORMS": "1",
            "products-0-product": "Mail Gateway",
            "products-0-edition": "",
        }
    )
    response = client.post(
        reverse("admin:knowledge_article_change", args=[article.pk]), data
    )

    assert response.status_code == 302
    rebuilt()
    assert titles(supported_customer, "Mail Gateway") == {"Резервное копирование"}
    assert titles(supported_customer, "mail gateway") == {"Резервное копирование"}
    assert titles(supported_customer, "Helpdesk Server") == set()
    # A product's name is matched whole, not as a part of another's.
    assert titles(supported_customer, "Mail") == set()


def test_a_row_behind_its_article_hides_it_and_never_shows_it(
    publish, supported_customer, agent
) -> None:
    article = publish(ru=("Резервное копирование", "backup-ru", "Текст."))
    assert titles(supported_customer) == {"Резервное копирование"}

    # Changed behind the services' back: the copy still says "public".
    Article.objects.filter(pk=article.pk).update(visibility=Article.Visibility.STAFF)

    assert titles(supported_customer) == set()
    assert titles(agent) == {"Резервное копирование"}
