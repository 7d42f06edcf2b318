"""The knowledge base in the admin: texts saved through the services, state
actions, history with diffs and restore, files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Article, ArticleAttachment, ArticleRevision
from tests.auth import sign_in
from tests.tickets.conftest import upload

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _form(category, translations=(), *, files=(), existing=0, article=None) -> dict:
    data = {
        "category": category.pk,
        "visibility": Article.Visibility.PUBLIC,
        "translations-TOTAL_FORMS": str(max(len(translations), 1)),
        "translations-INITIAL_FORMS": str(existing),
        "translations-MIN_NUM_FORMS": "0",
        "translations-MAX_NUM_FORMS": "2",
        "products-TOTAL_FORMS": "0",
        "products-INITIAL_FORMS": "0",
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "1000",
        "attachments-TOTAL_FORMS": str(len(files)),
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    for n, (language, title, slug, body, *pk) in enumerate(translations):
        data.update(
            {
                f"translations-{n}-language": language,
                f"translations-{n}-title": title,
                f"translations-{n}-slug": slug,
                f"translations-{n}-body": body,
            }
        )
        if pk:
            data[f"translations-{n}-id"] = pk[0]
            data[f"translations-{n}-article"] = article.pk
    for n, file in enumerate(files):
        data[f"attachments-{n}-file"] = file
    return data


def test_an_agent_writes_an_article_in_both_languages(client, category, agent) -> None:
    sign_in(client, agent)

    response = client.post(
        reverse("admin:knowledge_article_add"),
        _form(
            category,
            [
                ("ru", "Прокси", "proksi", "## Настройка\n\nТекст."),
                ("en", "Proxy", "proxy", "## Setup\n\nText."),
            ],
            files=[upload("scheme.png", PNG), upload("notes.txt", b"hello")],
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.author == agent
    assert article.state == Article.State.DRAFT
    assert sorted(article.translations.values_list("slug", flat=True)) == [
        "proksi",
        "proxy",
    ]
    assert ArticleRevision.objects.filter(article=article, author=agent).count() == 2
    types = dict(ArticleAttachment.objects.values_list("original_name", "content_type"))
    assert types == {"scheme.png": "image/png", "notes.txt": "text/plain"}


def test_a_file_of_a_refused_type_is_not_stored(client, category, agent) -> None:
    sign_in(client, agent)

    response = client.post(
        reverse("admin:knowledge_article_add"),
        _form(category, [("ru", "Т", "t", "x")], files=[upload("run.exe", b"MZ")]),
    )

    assert response.status_code == 200
    assert not Article.objects.exists()


def test_an_agent_submits_and_a_supervisor_publishes(
    client, category, agent, supervisor, publish
) -> None:
    article = publish(reviewer=None, ru=("Прокси", "proksi", "x"))
    sign_in(client, agent)
    changelist = reverse("admin:knowledge_article_changelist")
    page = client.get(changelist).content.decode()
    assert 'value="submit_for_review"' in page
    assert 'value="publish"' not in page

    client.post(
        changelist, {"action": "submit_for_review", "_selected_action": [article.pk]}
    )
    sign_in(client, supervisor)
    client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})

    article.refresh_from_db()
    assert article.state == Article.State.PUBLISHED
    assert article.reviewer == supervisor


def test_a_refused_move_is_said_and_changes_nothing(
    client, supervisor, publish
) -> None:
    article = publish(author=supervisor, reviewer=None, ru=("Прокси", "proksi", "x"))
    services.move_article(article, to=Article.State.REVIEW, by=supervisor)
    sign_in(client, supervisor)

    response = client.post(
        reverse("admin:knowledge_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Someone other than the author" in response.content.decode()
    article.refresh_from_db()
    assert article.state == Article.State.REVIEW


def test_an_agent_cannot_change_a_published_text(client, agent, publish) -> None:
    article = publish(ru=("Прокси", "proksi", "v1"))
    translation = article.translations.get()
    sign_in(client, agent)

    client.post(
        reverse("admin:knowledge_article_change", args=[article.pk]),
        _form(
            article.category,
            [("ru", "Прокси", "proksi", "v2", translation.pk)],
            existing=1,
            article=article,
        ),
    )

    translation.refresh_from_db()
    assert translation.body == "v1"


def test_a_supervisor_edits_a_published_text_and_restores_it(
    client, supervisor, publish
) -> None:
    article = publish(ru=("Прокси", "proksi", "первая строка\nвторая"))
    translation = article.translations.get()
    sign_in(client, supervisor)

    response = client.post(
        reverse("admin:knowledge_article_change", args=[article.pk]),
        _form(
            article.category,
            [
                (
                    "ru",
                    "Прокси",
                    "proksi-2",
                    "первая строка\n<b>третья</b>",
                    translation.pk,
                )
            ],
            existing=1,
            article=article,
        ),
    )
    assert response.status_code == 302
    latest = ArticleRevision.objects.filter(article=article).order_by("-pk").first()
    first = ArticleRevision.objects.filter(article=article).order_by("pk").first()

    history = client.get(
        reverse("admin:knowledge_article_history_texts", args=[article.pk])
    ).content.decode()
    diff = client.get(
        reverse("admin:knowledge_article_revision", args=[article.pk, latest.pk])
    ).content.decode()
    assert (
        reverse("admin:knowledge_article_revision", args=[article.pk, first.pk])
        in history
    )
    assert "&lt;b&gt;третья&lt;/b&gt;" in diff
    assert "<b>третья</b>" not in diff
    assert 'class="diff_sub"' in diff or 'class="diff_chg"' in diff

    client.post(reverse("admin:knowledge_article_restore", args=[article.pk, first.pk]))

    translation.refresh_from_db()
    assert (translation.slug, translation.body) == ("proksi", "первая строка\nвторая")
    assert ArticleRevision.objects.filter(article=article).count() == 3
    assert client.get("/kb/ru/proksi-2/").status_code == 301


def test_restore_is_posted_only(client, supervisor, publish) -> None:
    article = publish(ru=("Прокси", "proksi", "v1"))
    revision = ArticleRevision.objects.get(article=article)
    sign_in(client, supervisor)

    response = client.get(
        reverse("admin:knowledge_article_restore", args=[article.pk, revision.pk])
    )

    assert response.status_code == 405


def test_the_preview_shows_a_draft_to_staff(client, agent, publish) -> None:
    article = publish(reviewer=None, ru=("Прокси", "proksi", "## Раздел\n\nЧерновик"))
    sign_in(client, agent)

    html = client.get(
        reverse("admin:knowledge_article_preview", args=[article.pk, "ru"])
    ).content.decode()

    assert "Черновик" in html
    assert '<h2 id="s-раздел">Раздел</h2>' in html
    assert client.get("/kb/ru/proksi/").status_code == 404


def test_a_customer_has_no_admin(client, customer, publish) -> None:
    article = publish(ru=("Прокси", "proksi", "x"))
    client.force_login(customer)

    response = client.get(
        reverse("admin:knowledge_article_history_texts", args=[article.pk])
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_history_lists_who_moved_the_article_and_when(
    client, agent, supervisor, publish
) -> None:
    article = publish(ru=("Статья", "statya", "Текст."))
    services.move_article(article, to=Article.State.ARCHIVED, by=supervisor)

    moves = [
        (c.old_state, c.new_state, c.by)
        for c in article.state_changes.order_by("created_at", "pk")
    ]
    assert moves == [
        ("draft", "review", agent),
        ("review", "published", supervisor),
        ("published", "archived", supervisor),
    ]
    sign_in(client, supervisor)
    page = client.get(
        reverse("admin:knowledge_article_history_texts", args=[article.pk])
    ).content.decode()
    assert page.count("<td>В архиве</td>") == 1
