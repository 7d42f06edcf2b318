"""Articles linked from the composer: found among what the customer may
read, inserted as a tracked link in their language, tied to the ticket
when the reply is sent, and counted on the article page for staff."""

from __future__ import annotations

import re

import pytest

from knowledge.models import Article, TicketArticle
from tests.auth import sign_in
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(supported_customer, active_licence) -> Ticket:
    return services.open_ticket(
        contact=supported_customer,
        licence=active_licence,
        subject="Не работает резервное копирование",
        description="Ошибка.",
        category=Ticket.Category.OTHER,
    )


@pytest.fixture
def articles(publish) -> dict[str, Article]:
    return {
        "public": publish(
            ru=("Настройка резервного копирования", "backup-ru", "Текст."),
            en=("Configuring backups", "backup", "Text."),
        ),
        "customers": publish(
            ru=("Резервное копирование в облако", "cloud", "Для клиентов."),
            visibility=Article.Visibility.CUSTOMERS,
        ),
        "staff": publish(
            ru=("Резервное копирование: для своих", "inner", "Только нам."),
            visibility=Article.Visibility.STAFF,
        ),
    }


def find(client, ticket: Ticket, text: str):
    return client.get(f"/kb/ticket/{ticket.reference}/find/", {"q": text})


def insert(client, ticket: Ticket, article: Article):
    return client.post(f"/kb/ticket/{ticket.reference}/link/", {"article": article.pk})


def test_the_composer_finds_what_the_customer_may_read_in_their_language(
    client, agent, ticket, articles, supported_customer
) -> None:
    supported_customer.language = "en"
    supported_customer.save()
    sign_in(client, agent)

    found = find(client, ticket, "резервное копирование").json()["articles"]

    assert {a["title"] for a in found} == {
        "Configuring backups",
        "Резервное копирование в облако",
    }
    assert {a["id"] for a in found} == {
        articles["public"].pk,
        articles["customers"].pk,
    }


def test_only_staff_who_see_the_ticket_use_the_finder(
    client, customer, ticket, articles
) -> None:
    sign_in(client, customer)
    assert find(client, ticket, "копирование").status_code == 403
    assert insert(client, ticket, articles["public"]).status_code == 403
    assert not TicketArticle.objects.exists()


def test_an_inserted_link_is_tracked_and_in_the_customers_language(
    client, agent, ticket, articles, supported_customer, settings
) -> None:
    settings.SITE_URL = "https://support.example.com"
    supported_customer.language = "en"
    supported_customer.save()
    sign_in(client, agent)

    markdown = insert(client, ticket, articles["public"]).json()["markdown"]

    tracked = TicketArticle.objects.get()
    assert markdown == (
        f"[Configuring backups](https://support.example.com/kb/l/{tracked.code}/)"
    )
    assert (tracked.ticket, tracked.article, tracked.language) == (
        ticket,
        articles["public"],
        "en",
    )
    assert tracked.added_by == agent
    assert tracked.sent_at is None


def test_a_staff_only_article_cannot_be_linked_for_a_customer(
    client, agent, ticket, articles
) -> None:
    sign_in(client, agent)
    assert insert(client, ticket, articles["staff"]).status_code == 404
    assert not TicketArticle.objects.exists()


def test_the_sent_reply_ties_the_article_to_the_ticket(
    client, agent, ticket, articles
) -> None:
    sign_in(client, agent)
    note_link = insert(client, ticket, articles["customers"]).json()["markdown"]
    reply_link = insert(client, ticket, articles["public"]).json()["markdown"]
    # Inserted, then deleted from the reply: never sent.
    insert(client, ticket, articles["public"])

    services.send_staff_message(
        ticket, by=agent, body=f"Для нас: {note_link}", internal=True
    )
    services.send_staff_message(ticket, by=agent, body=f"Прочитайте: {reply_link}")

    sent = TicketArticle.objects.exclude(sent_at=None)
    assert [t.article for t in sent] == [articles["public"]]
    page = client.get(
        articles["public"].translations.get(language="ru").get_absolute_url()
    )
    assert page.context["tickets_answered"] == 1
    other = client.get(articles["customers"].translations.get().get_absolute_url())
    assert other.context["tickets_answered"] == 0


def test_customers_are_not_told_how_many_tickets_an_article_answered(
    client, supported_customer, articles
) -> None:
    sign_in(client, supported_customer)
    page = client.get(
        articles["public"].translations.get(language="ru").get_absolute_url()
    )
    assert page.context["tickets_answered"] is None
    assert "kb-staff-figures" not in page.content.decode()


def test_following_the_link_counts_the_customers_visits(
    client, agent, ticket, articles, supported_customer
) -> None:
    sign_in(client, agent)
    markdown = insert(client, ticket, articles["public"]).json()["markdown"]
    path = re.search(r"/kb/l/[^/]+/", markdown).group(0)

    # Staff checking the link are not counted.
    assert client.get(path).status_code == 302
    sign_in(client, supported_customer)
    response = client.get(path)
    client.get(path)

    assert response["Location"] == "/kb/ru/backup-ru/"
    tracked = TicketArticle.objects.get()
    assert tracked.opens == 2
    assert tracked.opened_at is not None


def test_a_visitor_following_a_link_to_a_customers_article_signs_in_first(
    client, agent, ticket, articles
) -> None:
    tracked = TicketArticle.objects.create(
        article=articles["customers"], ticket=ticket, language="ru", added_by=agent
    )
    response = client.get(f"/kb/l/{tracked.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"/accounts/login/?next=/kb/l/{tracked.code}/"
    )
    assert client.get("/kb/l/00000000-0000-0000-0000-000000000000/").status_code == 404
