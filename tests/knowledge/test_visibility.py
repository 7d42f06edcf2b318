"""One rule decides who reads what (`Article.objects.visible_to`): an article
for customers or for staff never reaches anyone else, on any page, in search,
in the sitemap, through its files or its old addresses."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.models import Article
from tests.auth import sign_in
from tests.knowledge.conftest import make_article
from tests.tickets.conftest import upload

pytestmark = pytest.mark.django_db

KINDS = ["public", "customers", "staff", "draft", "archived"]
READERS = ["anonymous", "lapsed_customer", "supported_customer", "agent"]
# Which articles each reader may read.
MAY_READ = {
    "anonymous": {"public"},
    "lapsed_customer": {"public"},
    "supported_customer": {"public", "customers"},
    "agent": {"public", "customers", "staff"},
}


@pytest.fixture
def library(category, agent, supervisor) -> dict[str, Article]:
    """An article of each kind, titled by its kind, each with a file and an
    old address."""
    articles = {}
    for kind in KINDS:
        visibility = {
            "customers": Article.Visibility.CUSTOMERS,
            "staff": Article.Visibility.STAFF,
        }.get(kind, Article.Visibility.PUBLIC)
        article = make_article(
            category,
            author=agent,
            reviewer=None if kind == "draft" else supervisor,
            visibility=visibility,
            ru=(
                f"Секрет {kind}",
                f"old-{kind}",
                f"Текст статьи {kind} о маршрутизаторе",
            ),
            en=(f"Secret {kind}", f"secret-{kind}", f"The {kind} article on routers"),
        )
        services.save_translation(
            article,
            language="ru",
            title=f"Секрет {kind}",
            slug=f"sekret-{kind}",
            body=f"Текст статьи {kind} о маршрутизаторе",
            by=supervisor,
        )
        services.attach_files(article, [upload(f"{kind}.txt", b"x")], by=agent)
        if kind == "archived":
            services.move_article(article, to=Article.State.ARCHIVED, by=supervisor)
        articles[kind] = article
    return articles


@pytest.fixture
def reader_client(request, client, lapsed_customer, supported_customer, agent):
    def signed_in(reader: str):
        if reader != "anonymous":
            sign_in(
                client,
                {
                    "lapsed_customer": lapsed_customer,
                    "supported_customer": supported_customer,
                    "agent": agent,
                }[reader],
            )
        return client

    return signed_in


@pytest.mark.parametrize("reader", READERS)
def test_article_pages_answer_only_whom_they_are_for(reader_client, library, reader):
    client = reader_client(reader)
    for kind, article in library.items():
        expected = 200 if kind in MAY_READ[reader] else 404
        for translation in article.translations.all():
            assert client.get(translation.get_absolute_url()).status_code == expected, (
                kind,
                translation.language,
            )
        by_code = client.get(article.get_absolute_url())
        if kind in MAY_READ[reader]:
            assert by_code.status_code == 302, kind
            assert by_code["Location"].startswith("/kb/"), kind
        elif reader == "anonymous" and kind in ("customers", "staff"):
            # A published article's language-neutral address (sent in
            # replies and by the bot) asks a visitor to sign in first.
            assert by_code.status_code == 302, kind
            assert by_code["Location"].startswith("/accounts/login/?next=/kb/a/")
        else:
            assert by_code.status_code == 404, kind


@pytest.mark.parametrize("reader", READERS)
def test_old_addresses_redirect_only_whom_the_article_is_for(
    reader_client, library, reader
) -> None:
    client = reader_client(reader)
    for kind in KINDS:
        response = client.get(f"/kb/ru/old-{kind}/")
        if kind in MAY_READ[reader]:
            assert response.status_code == 301
            assert response["Location"] == f"/kb/ru/sekret-{kind}/"
        else:
            assert response.status_code == 404, kind


@pytest.mark.parametrize("reader", READERS)
def test_lists_name_only_what_the_reader_may_read(reader_client, library, reader):
    client = reader_client(reader)
    pages = {
        url: client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        for url in ("/kb/", "/kb/c/server-config/", "/kb/c/server/")
    }
    for kind in KINDS:
        for url, html in pages.items():
            if url == "/kb/c/server/":
                continue  # the parent lists its sections, not articles
            shown = f"Secret {kind}" in html
            assert shown == (kind in MAY_READ[reader]), (url, kind)


@pytest.mark.parametrize("reader", READERS)
def test_search_finds_only_what_the_reader_may_read(reader_client, library, reader):
    client = reader_client(reader)
    html = client.get(
        "/kb/search/", {"q": "routers"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    for kind in KINDS:
        assert (f"Secret {kind}" in html) == (kind in MAY_READ[reader]), kind


@pytest.mark.parametrize("reader", READERS)
def test_files_are_served_only_to_whom_the_article_is_for(
    reader_client, library, reader
) -> None:
    client = reader_client(reader)
    # Agents may view every article in the admin, whose preview shows its files.
    may_read = set(KINDS) if reader == "agent" else MAY_READ[reader]
    for kind, article in library.items():
        attachment = article.attachments.get()
        response = client.get(attachment.get_absolute_url())
        expected = 200 if kind in may_read else 404
        assert response.status_code == expected, kind
        if expected == 200:
            assert b"".join(response.streaming_content) == b"x"


@pytest.mark.parametrize("reader", READERS)
def test_feedback_is_taken_only_on_what_the_reader_may_read(
    reader_client, library, reader
) -> None:
    client = reader_client(reader)
    for kind in KINDS:
        response = client.post(f"/kb/en/secret-{kind}/feedback/", {"helpful": "yes"})
        assert response.status_code == (302 if kind in MAY_READ[reader] else 404)


@pytest.mark.parametrize("reader", READERS)
def test_the_sitemap_lists_public_articles_alone_for_anyone(
    reader_client, library, reader
) -> None:
    xml = reader_client(reader).get("/sitemap.xml").content.decode()

    assert "/kb/en/secret-public/" in xml
    assert "/kb/ru/sekret-public/" in xml
    for kind in ["customers", "staff", "draft", "archived"]:
        assert f"secret-{kind}" not in xml
        assert f"sekret-{kind}" not in xml


def test_support_that_ends_takes_the_customers_articles_away(
    client, library, supported_customer, active_licence
) -> None:
    client.force_login(supported_customer)
    url = "/kb/en/secret-customers/"
    assert client.get(url).status_code == 200

    active_licence.subscription_periods.update(ends_on=active_licence.purchased_on)

    assert client.get(url).status_code == 404


def test_an_archived_organisations_contacts_lose_the_customers_articles(
    client, library, supported_customer, organisation
) -> None:
    organisation.is_active = False
    organisation.save()
    client.force_login(supported_customer)

    assert client.get("/kb/en/secret-customers/").status_code == 404
