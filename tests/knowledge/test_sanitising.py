"""Every XSS payload of the corpus, in every text of the knowledge base that
a person writes, renders inert on every page that shows it."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.markdown import render_article
from knowledge.models import ArticleFeedback, ArticleRevision, Category
from tests.auth import sign_in
from tests.knowledge.conftest import make_article
from tests.security.inert_html import script_risks
from tests.security.test_xss_corpus import PAYLOADS

IDS = [f"p{n:03d}" for n in range(len(PAYLOADS))]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_payload_is_inert_in_the_knowledge_base(
    client, payload, agent, supervisor, customer
) -> None:
    text = payload[:190]
    root = Category.objects.create(name_ru=text, name_en=text, slug="root")
    category = Category.objects.create(
        parent=root, name_ru=text, name_en=text, slug="leaf"
    )
    article = make_article(
        category,
        author=agent,
        reviewer=supervisor,
        ru=(text, "statya", payload),
        en=(text, "article", f"## {text}\n\n{payload}\n\nrouter"),
    )
    other = make_article(
        category, author=agent, reviewer=supervisor, ru=(text, "drugaya", payload)
    )
    services.save_translation(
        article,
        language="en",
        title=text,
        slug="article",
        body=f"{payload}\n\nrouter {text}",
        by=supervisor,
    )
    services.record_feedback(
        article, language="en", helpful=False, comment=payload, user=customer
    )
    revision = ArticleRevision.objects.filter(article=article, language="en").first()

    pages = {}
    for url in (
        "/kb/",
        "/kb/c/root/",
        "/kb/c/leaf/",
        "/kb/ru/statya/",
        "/kb/en/article/",
        other.translations.get().get_absolute_url(),
        f"/kb/search/?{urlencode({'q': text[:100]})}",
        "/kb/search/?q=router",
    ):
        pages[f"reader {url}"] = client.get(url).content.decode()
    sign_in(client, customer)
    suggested = client.post("/kb/suggest/", {"subject": text[:100]})
    pages["customer's suggestions"] = suggested.content.decode()
    sign_in(client, supervisor)
    for url in (
        "/kb/figures/",
        "/kb/en/article/",
        "/admin/knowledge/article/",
        reverse("admin:knowledge_article_change", args=[article.pk]),
        reverse("admin:knowledge_article_history_texts", args=[article.pk]),
        reverse("admin:knowledge_article_revision", args=[article.pk, revision.pk]),
        reverse("admin:knowledge_article_preview", args=[article.pk, "en"]),
        "/admin/knowledge/articlefeedback/",
        "/admin/knowledge/category/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[f"staff {url}"] = response.content.decode()

    found = {
        where: risks for where, html in pages.items() if (risks := script_risks(html))
    }
    assert found == {}
    assert ArticleFeedback.objects.get().comment == payload.strip()
    # The corpus's text was suggested and shown, not only left out.
    assert "data-suggestion" in pages["customer's suggestions"]


@pytest.mark.parametrize(
    "body",
    [
        "![x](https://evil.example/track.png)",
        "![x](/kb/files/../../admin/)",
        "![x](/kb/files/%2e%2e/admin/)",
        "![x](javascript:alert(1))",
        '<img src="/kb/files/x" onerror="alert(1)">',
        "![x](//evil.example/kb/files/x)",
    ],
)
def test_an_image_is_kept_only_from_the_articles_files(body) -> None:
    html = render_article(body).html

    assert "evil.example" not in html
    assert "onerror" not in html
    assert "javascript" not in html
    assert "%2e" not in html
    assert ".." not in html


def test_an_image_of_the_articles_files_is_shown() -> None:
    html = render_article("![Схема](/kb/files/0d6b/?inline=1)").html

    assert '<img alt="Схема" src="/kb/files/0d6b/?inline=1">' in html


def test_heading_ids_are_made_from_their_text_alone() -> None:
    rendered = render_article(
        '## <span id="x" onclick="alert(1)">A "quoted" heading</span>\n\n'
        '<h2 id="main">Raw</h2>'
    )

    assert 'id="main"' not in rendered.html
    assert "onclick" not in rendered.html
    assert [h.anchor for h in rendered.contents] == ["s-a-quoted-heading", "s-raw"]
