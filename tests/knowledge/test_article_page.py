"""The article page: its contents, languages, related articles, caching
headers and cost."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowledge import services
from knowledge.models import Article, Category
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

BODY = """Вступление.

## Подключение

Текст.

### Порт и шифрование

Ещё текст.

## Подключение

Второй раздел с тем же названием.
"""


@pytest.fixture
def smtp(publish) -> Article:
    return publish(
        ru=("Настройка SMTP", "nastrojka-smtp", BODY),
        en=("SMTP setup", "smtp-setup", "## Connecting\n\nText."),
        products=(("Helpdesk Server", ""),),
    )


@pytest.fixture
def reports(publish) -> Article:
    """Written in Russian only."""
    return publish(ru=("Ускорение отчётов", "uskorenie-otchyotov", "Текст."))


def test_headings_get_ids_and_a_table_of_contents(client, smtp) -> None:
    html = client.get("/kb/ru/nastrojka-smtp/").content.decode()

    assert '<h2 id="s-подключение">Подключение</h2>' in html
    assert '<h3 id="s-порт-и-шифрование">Порт и шифрование</h3>' in html
    assert '<h2 id="s-подключение-2">Подключение</h2>' in html
    assert '<a href="#s-порт-и-шифрование">Порт и шифрование</a>' in html
    assert '<a href="#s-подключение-2">Подключение</a>' in html


def test_the_page_names_its_canonical_address_and_its_other_language(
    client, smtp, settings
) -> None:
    settings.SITE_URL = "https://support.example.com"

    html = client.get("/kb/en/smtp-setup/", HTTP_HOST="localhost").content.decode()

    assert (
        '<link rel="canonical" href="https://support.example.com/kb/en/smtp-setup/">'
        in html
    )
    assert (
        '<link rel="alternate" hreflang="ru" '
        'href="https://support.example.com/kb/ru/nastrojka-smtp/">' in html
    )
    assert (
        '<link rel="alternate" hreflang="en" '
        'href="https://support.example.com/kb/en/smtp-setup/">' in html
    )


def test_the_sitemap_gives_each_language_with_its_alternate(
    client, smtp, reports, settings
) -> None:
    settings.SITE_URL = "https://support.example.com"

    xml = client.get("/sitemap.xml").content.decode()

    assert "<loc>https://support.example.com/kb/en/smtp-setup/</loc>" in xml
    assert "<loc>https://support.example.com/kb/ru/nastrojka-smtp/</loc>" in xml
    assert (
        xml.count(
            '<xhtml:link rel="alternate" hreflang="ru" '
            'href="https://support.example.com/kb/ru/nastrojka-smtp/"/>'
        )
        == 2
    )
    assert "<loc>https://support.example.com/kb/ru/uskorenie-otchyotov/</loc>" in xml
    assert 'uskorenie-otchyotov/"/>' not in xml


def test_a_text_in_one_language_has_no_alternates(client, reports) -> None:
    html = client.get("/kb/ru/uskorenie-otchyotov/").content.decode()

    assert 'rel="alternate"' not in html


def test_an_english_reader_is_told_the_article_is_shown_in_russian(
    client, reports
) -> None:
    html = client.get(
        "/kb/ru/uskorenie-otchyotov/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert (
        "This article is not available in English; showing the Russian version." in html
    )
    assert '<article class="kb-article" lang="ru">' in html


def test_a_reader_of_the_other_language_is_shown_theirs_too(client, smtp) -> None:
    html = client.get(
        "/kb/ru/nastrojka-smtp/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "This article is also available in English." in html
    assert '<a href="/kb/en/smtp-setup/" lang="en">SMTP setup</a>' in html
    assert "not available in English" not in html


def test_a_reader_in_the_articles_language_sees_no_note(client, smtp) -> None:
    html = client.get("/kb/en/smtp-setup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "kb-language-note" not in html


@pytest.mark.parametrize(
    ("language", "location"),
    [("en", "/kb/en/smtp-setup/"), ("ru", "/kb/ru/nastrojka-smtp/")],
)
def test_the_language_neutral_address_leads_to_the_readers_language(
    client, smtp, language, location
) -> None:
    response = client.get(smtp.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 302
    assert response["Location"] == location


def test_the_language_neutral_address_falls_back_to_the_other_language(
    client, reports
) -> None:
    response = client.get(reports.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == "/kb/ru/uskorenie-otchyotov/"


def test_related_articles_share_the_category_or_a_product(
    client, smtp, reports, publish
) -> None:
    elsewhere = Category.objects.create(name_ru="Прочее", slug="other")
    same_product = publish(
        category=elsewhere,
        ru=("Резервные копии", "rezervnye-kopii", "Текст."),
        products=(("Helpdesk Server", "Enterprise"),),
    )
    unrelated = publish(category=elsewhere, ru=("Принтеры", "printery", "Текст."))

    html = client.get("/kb/ru/nastrojka-smtp/").content.decode()
    related = html[html.index('id="kb-related"') :]

    assert "Ускорение отчётов" in related
    assert same_product.translations.get().title in related
    assert unrelated.translations.get().title not in related
    assert "Настройка SMTP</a>" not in related


def test_the_page_is_for_get_alone(client, smtp) -> None:
    assert client.post("/kb/en/smtp-setup/").status_code == 405


def test_the_page_revalidates_with_its_etag(client, smtp) -> None:
    # The first visit sets the CSRF cookie, which the page's forms use.
    client.get("/kb/en/smtp-setup/")
    first = client.get("/kb/en/smtp-setup/")
    etag = first["ETag"]

    again = client.get("/kb/en/smtp-setup/", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    assert "no-cache" in first["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= {
        part.strip() for part in again["Vary"].split(",")
    }


def test_a_changed_article_is_sent_again(client, smtp, supervisor) -> None:
    client.get("/kb/en/smtp-setup/")
    etag = client.get("/kb/en/smtp-setup/")["ETag"]
    assert client.get("/kb/en/smtp-setup/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.save_translation(
        smtp,
        language="en",
        title="SMTP setup",
        slug="smtp-setup",
        body="## Connecting\n\nNew text.",
        by=supervisor,
    )

    response = client.get("/kb/en/smtp-setup/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert "New text." in response.content.decode()


def test_the_etag_differs_by_language_and_reader(client, smtp, customer) -> None:
    client.get("/kb/en/smtp-setup/")
    english = client.get("/kb/en/smtp-setup/", HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    russian = client.get("/kb/en/smtp-setup/", HTTP_ACCEPT_LANGUAGE="ru")["ETag"]
    client.force_login(customer)
    signed_in = client.get("/kb/en/smtp-setup/", HTTP_ACCEPT_LANGUAGE="en")

    assert len({english, russian, signed_in["ETag"]}) == 3
    assert (
        client.get(
            "/kb/en/smtp-setup/", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=english
        ).status_code
        == 200
    )


def test_a_signed_in_readers_page_is_private(client, smtp, customer) -> None:
    client.force_login(customer)

    response = client.get("/kb/en/smtp-setup/")

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_date_alone_never_gets_a_304(client, smtp) -> None:
    """Last-Modified covers the articles, not the banner or the reader."""
    last_modified = client.get("/kb/en/smtp-setup/")["Last-Modified"]

    response = client.get("/kb/en/smtp-setup/", HTTP_IF_MODIFIED_SINCE=last_modified)

    assert response.status_code == 200
    assert response["ETag"]


def test_staff_pages_are_always_sent_whole(client, smtp, agent) -> None:
    sign_in(client, agent)

    response = client.get("/kb/en/smtp-setup/")

    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "private" in response["Cache-Control"]


def test_the_thanks_for_feedback_is_not_hidden_by_a_304(client, smtp) -> None:
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.get("/kb/en/smtp-setup/", **english)
    etag = client.get("/kb/en/smtp-setup/", **english)["ETag"]
    client.post("/kb/en/smtp-setup/feedback/", {"helpful": "yes"}, **english)

    response = client.get(
        "/kb/en/smtp-setup/", HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "Thank you for your answer." in response.content.decode()


def test_the_page_costs_a_few_queries_whatever_it_shows(
    client, smtp, customer, active_licence, publish, django_assert_max_num_queries
) -> None:
    """The session, the reader and their support, the validators, the text,
    its category, files and related articles (the category's, topped up
    with the same product's when it has too few): 13 at most, however many
    articles are related."""

    def another(n: int) -> None:
        publish(
            ru=(f"Статья {n}", f"statya-{n}", "## Раздел\n\nТекст."),
            en=(f"Article {n}", f"article-{n}", "Text."),
            products=(("Helpdesk Server", ""),),
        )

    another(0)
    client.force_login(customer)
    client.get("/kb/ru/nastrojka-smtp/")
    # Each measured page is rendered afresh, not taken from the cache.
    cache.clear()
    with CaptureQueriesContext(connection) as with_one:
        client.get("/kb/ru/nastrojka-smtp/")
    for n in range(1, 9):
        another(n)

    cache.clear()
    with django_assert_max_num_queries(len(with_one)):
        response = client.get("/kb/ru/nastrojka-smtp/")

    assert response.status_code == 200
    # Five related articles of the nine.
    assert len(re.findall(r">Статья \d<", response.content.decode())) == 5
    assert len(with_one) <= 13


@pytest.mark.parametrize("url", ["/kb/", "/kb/c/server-config/", "/kb/search/?q=smtp"])
def test_lists_and_search_revalidate_too(client, smtp, url) -> None:
    client.get(url)
    etag = client.get(url)["ETag"]

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_articles_parts_are_kept_until_the_knowledge_base_changes(
    client, smtp, reports, publish, supervisor, django_assert_max_num_queries
) -> None:
    """The text, contents, files and related articles are rendered once;
    an edit, or a related article deleted, shows at once."""
    client.get("/kb/ru/nastrojka-smtp/")
    cache.clear()
    with CaptureQueriesContext(connection) as rendered:
        client.get("/kb/ru/nastrojka-smtp/")

    with django_assert_max_num_queries(len(rendered) - 4):
        kept = client.get("/kb/ru/nastrojka-smtp/").content.decode()
    assert ">Ускорение отчётов<" in kept

    services.save_translation(
        smtp,
        language="ru",
        title="Настройка SMTP",
        slug="nastrojka-smtp",
        body="## Новый раздел",
        by=supervisor,
    )
    edited = client.get("/kb/ru/nastrojka-smtp/").content.decode()
    assert '<h2 id="s-новый-раздел">Новый раздел</h2>' in edited

    reports.delete()
    after = client.get("/kb/ru/nastrojka-smtp/").content.decode()
    assert "Ускорение отчётов" not in after


def test_readers_of_more_articles_get_their_own_parts(
    client, smtp, publish, supported_customer
) -> None:
    publish(
        ru=("Только для клиентов", "dlya-klientov", "Текст."),
        visibility=Article.Visibility.CUSTOMERS,
    )
    visitor = client.get("/kb/ru/nastrojka-smtp/").content.decode()
    sign_in(client, supported_customer)
    customer = client.get("/kb/ru/nastrojka-smtp/").content.decode()

    assert "Только для клиентов" not in visitor
    assert "Только для клиентов" in customer
