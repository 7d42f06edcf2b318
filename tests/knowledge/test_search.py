"""Search over articles on PostgreSQL: each language stemmed in its own
configuration, ranked, with highlighted snippets, typos found by trigrams."""

from __future__ import annotations

import pytest
from django.db import connection

from knowledge.models import (
    _MARK_START,
    _MARK_STOP,
    ArticleTranslation,
    snippet_html,
)
from tests.requirements import require

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    require(
        connection.vendor == "postgresql",
        f"the suite runs on {connection.vendor}; set DATABASE_URL to a PostgreSQL database",
    )


@pytest.fixture
def articles(publish) -> None:
    publish(
        ru=(
            "Резервное копирование в сетевую папку",
            "rezervnoe-kopirovanie",
            "Служба копирует базу данных PostgreSQL каждую ночь.",
        ),
        en=(
            "Backups to a network share",
            "backups-network-share",
            "The service copies its PostgreSQL database every night.",
        ),
    )
    publish(
        ru=(
            "Настройка почты",
            "nastrojka-pochty",
            "Укажите сервер. Резервное копирование писем не выполняется.",
        ),
    )
    publish(en=("Printing reports", "printing-reports", "Reports print slowly."))


def _titles(client, query: str, language: str = "en") -> list[str]:
    response = client.get("/kb/search/", {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
    return [entry.translation.title for entry in response.context["results"]]


def test_russian_words_are_found_in_any_form_and_the_title_ranks_first(
    client, articles
) -> None:
    assert _titles(client, "резервного копирования", "ru") == [
        "Резервное копирование в сетевую папку",
        "Настройка почты",
    ]


def test_english_words_are_stemmed_as_english(client, articles) -> None:
    assert _titles(client, "backup copying") == ["Backups to a network share"]
    assert _titles(client, "printed report") == ["Printing reports"]


def test_an_article_found_in_both_languages_is_listed_once_in_the_readers(
    client, articles
) -> None:
    assert _titles(client, "postgresql", "ru") == [
        "Резервное копирование в сетевую папку"
    ]
    assert _titles(client, "postgresql", "en") == ["Backups to a network share"]


def test_a_typo_in_a_title_is_forgiven(client, articles) -> None:
    assert _titles(client, "Рызервное копирывание") == [
        "Резервное копирование в сетевую папку"
    ]


def test_snippets_mark_the_found_words_and_escape_the_rest(client, publish) -> None:
    publish(
        en=(
            "Proxy settings",
            "proxy-settings",
            "Write <b>proxy</b> & port: `proxy = http://x` <script>alert(1)</script>",
        )
    )

    html = client.get(
        "/kb/search/", {"q": "proxy"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    results = html[html.index('class="kb-results"') :]

    assert "<mark>proxy</mark>" in results
    assert "&amp; port" in results
    assert "<script>" not in results
    assert "<b>" not in results


def test_a_snippet_is_escaped_whatever_the_text_holds() -> None:
    raw = f"a < b {_MARK_START}x{_MARK_STOP} <img src=x onerror=alert(1)>"

    assert snippet_html(raw) == (
        "a &lt; b <mark>x</mark> &lt;img src=x onerror=alert(1)&gt;"
    )


def test_a_snippet_shows_a_tables_cells_without_its_borders() -> None:
    raw = f"| Port | Use |\n| --- | :---: |\n| 443 | {_MARK_START}HTTPS{_MARK_STOP} |"

    assert snippet_html(raw) == "Port Use 443 <mark>HTTPS</mark>"


def test_a_snippet_keeps_dashes_inside_words_and_options() -> None:
    assert snippet_html("run setup --force on well-known hosts") == (
        "run setup --force on well-known hosts"
    )


def test_nothing_like_the_words_finds_nothing(client, articles) -> None:
    assert _titles(client, "принтер") == []


def test_a_query_is_shown_back_escaped(client, articles) -> None:
    html = client.get(
        "/kb/search/", {"q": '"><script>alert(1)</script>'}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_vector_follows_the_text(publish, supervisor) -> None:
    from knowledge import services

    article = publish(en=("Proxy", "proxy", "Old words."))
    services.save_translation(
        article,
        language="en",
        title="Proxy",
        slug="proxy",
        body="Kerberos instead.",
        by=supervisor,
    )

    found = ArticleTranslation.objects.search("kerberos")
    assert [t.slug for t in found] == ["proxy"]
    assert ArticleTranslation.objects.search("old words") == []


def test_a_search_that_finds_more_than_it_shows_says_so(
    client, publish, settings, monkeypatch
) -> None:
    monkeypatch.setattr("knowledge.views.pages.SEARCH_RESULTS", 3)
    for n in range(4):
        publish(ru=(f"Резервное копирование {n}", f"backup-{n}", "Текст."))

    many = client.get("/kb/search/", {"q": "резервное"})
    few = client.get("/kb/search/", {"q": "копирование 2"})

    assert many.context["capped"] == 3
    assert len(many.context["results"]) == 3
    assert "Показаны только 3 лучших" in many.content.decode()
    assert few.context["capped"] == 0
