"""Articles suggested while a ticket is filed (the portal's form and the
bot), and what is recorded of them: shown, opened, solved, filed anyway."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils.timezone import now

from knowledge import deflection
from knowledge.models import Article, FilingAttempt, Suggestion
from tests.auth import sign_in
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

BACKUP_RU = ("Настройка резервного копирования", "backup-ru", "Откройте раздел.")
BACKUP_EN = ("Configuring backups", "backup", "Open the section.")


@pytest.fixture
def backup(publish) -> Article:
    return publish(ru=BACKUP_RU, en=BACKUP_EN)


@pytest.fixture
def articles(publish, backup) -> dict[str, Article]:
    """An article of each visibility on one subject, and one for another product."""
    return {
        "public": backup,
        "customers": publish(
            ru=("Резервное копирование в облако", "cloud-backup", "Для клиентов."),
            visibility=Article.Visibility.CUSTOMERS,
        ),
        "staff": publish(
            ru=("Резервное копирование: внутренняя заметка", "inner", "Только нам."),
            visibility=Article.Visibility.STAFF,
        ),
        "draft": publish(
            ru=("Резервное копирование, черновик", "draft", "Не готово."),
            reviewer=None,
        ),
        "other product": publish(
            ru=("Резервное копирование в Mail Gateway", "gateway", "Другое."),
            products=(("Mail Gateway", ""),),
        ),
        "this product": publish(
            ru=("Резервное копирование Helpdesk Server", "server", "Наше."),
            products=(("Helpdesk Server", ""),),
        ),
    }


def titles(found) -> set[str]:
    return {translation.title for translation in found}


def test_suggestions_are_what_the_customer_may_read_for_their_product(
    articles, supported_customer, lapsed_customer, agent
) -> None:
    subject = "не работает резервное копирование"

    supported = deflection.find(supported_customer, subject, product="Helpdesk Server")
    lapsed = deflection.find(lapsed_customer, subject, product="Helpdesk Server")

    assert titles(supported) == {
        "Настройка резервного копирования",
        "Резервное копирование в облако",
        "Резервное копирование Helpdesk Server",
    }
    # Without active support, what is for customers is not suggested.
    assert titles(lapsed) == {
        "Настройка резервного копирования",
        "Резервное копирование Helpdesk Server",
    }
    assert len(deflection.find(supported_customer, subject)) == 4
    assert deflection.find(supported_customer, "ко") == []


def test_one_article_is_suggested_once_in_the_readers_language(
    backup, supported_customer
) -> None:
    found = deflection.find(supported_customer, "backup резервное копирование")
    assert [t.title for t in found] == ["Настройка резервного копирования"]


def test_the_form_asks_for_suggestions_as_the_subject_is_typed(
    client, articles, supported_customer, active_licence
) -> None:
    sign_in(client, supported_customer)

    first = client.post(
        "/kb/suggest/",
        {"subject": "резервное копирование", "licence": active_licence.pk},
    )
    html = first.content.decode()
    attempt = FilingAttempt.objects.get()
    assert f'data-attempt="{attempt.code}"' in html
    assert "Резервное копирование в облако" in html
    assert "Mail Gateway" not in html
    assert "внутренняя" not in html
    assert f"/kb/s/{attempt.code}/{articles['public'].pk}/" in html
    assert attempt.channel == FilingAttempt.Channel.WEB
    assert attempt.product == "Helpdesk Server"
    assert attempt.suggestions.count() == 3

    # The next request names the attempt: the same one, now with what it
    # suggests for the longer subject.
    client.post(
        "/kb/suggest/",
        {
            "subject": "резервное копирование в облако",
            "licence": active_licence.pk,
            "attempt": str(attempt.code),
        },
    )
    attempt.refresh_from_db()
    assert FilingAttempt.objects.count() == 1
    assert attempt.subject == "резервное копирование в облако"
    assert attempt.suggestions.count() == 3


def test_nothing_is_recorded_when_nothing_is_suggested(
    client, articles, supported_customer
) -> None:
    sign_in(client, supported_customer)
    response = client.post("/kb/suggest/", {"subject": "принтер не печатает"})
    assert response.status_code == 200
    assert "data-suggestion" not in response.content.decode()
    assert not FilingAttempt.objects.exists()


def test_another_customers_attempt_is_not_continued(
    client, articles, supported_customer, lapsed_customer
) -> None:
    theirs, _found = deflection.suggest(
        lapsed_customer, "резервное копирование", channel=FilingAttempt.Channel.WEB
    )
    shown = set(theirs.suggestions.values_list("article_id", flat=True))
    sign_in(client, supported_customer)
    client.post(
        "/kb/suggest/",
        {"subject": "резервное копирование в облако", "attempt": str(theirs.code)},
    )
    assert FilingAttempt.objects.filter(user=supported_customer).count() == 1
    theirs.refresh_from_db()
    assert theirs.subject == "резервное копирование"
    assert set(theirs.suggestions.values_list("article_id", flat=True)) == shown


def test_staff_get_no_suggestions(client, articles, agent) -> None:
    sign_in(client, agent)
    response = client.post("/kb/suggest/", {"subject": "резервное копирование"})
    assert response.content == b""
    assert not FilingAttempt.objects.exists()


def test_a_suggestion_opened_is_recorded_and_shown(
    client, backup, supported_customer
) -> None:
    attempt, _found = deflection.suggest(
        supported_customer, "резервное копирование", channel=FilingAttempt.Channel.WEB
    )
    # Opened from Telegram, in a browser where nobody is signed in.
    response = client.get(f"/kb/s/{attempt.code}/{backup.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/kb/a/{backup.code}/"
    suggestion = Suggestion.objects.get(attempt=attempt, article=backup)
    attempt.refresh_from_db()
    assert suggestion.opened_at is not None
    assert attempt.opened_at == suggestion.opened_at
    assert client.get(f"/kb/s/{attempt.code}/{backup.pk + 99}/").status_code == 404


def test_this_answered_my_question_ends_the_attempt_without_a_ticket(
    client, backup, supported_customer
) -> None:
    attempt, _found = deflection.suggest(
        supported_customer, "резервное копирование", channel=FilingAttempt.Channel.WEB
    )
    sign_in(client, supported_customer)

    response = client.post(
        f"/kb/s/{attempt.code}/{backup.pk}/solved/",
        {"subject": "резервное копирование", "description": "Текст"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/tickets/"
    [said] = response.context["messages"]
    assert said.level_tag == "success"
    assert str(said.message) in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.outcome == FilingAttempt.Outcome.SOLVED
    assert attempt.solved_by == backup
    assert list(FilingAttempt.objects.deflected()) == [attempt]


def test_only_the_customer_says_their_attempt_was_solved(
    client, backup, supported_customer, lapsed_customer
) -> None:
    attempt, _found = deflection.suggest(
        supported_customer, "резервное копирование", channel=FilingAttempt.Channel.WEB
    )
    sign_in(client, lapsed_customer)
    client.post(f"/kb/s/{attempt.code}/{backup.pk}/solved/")
    attempt.refresh_from_db()
    assert attempt.outcome == FilingAttempt.Outcome.OPEN


def test_filing_the_ticket_anyway_ends_the_attempt(
    backup, supported_customer, active_licence
) -> None:
    attempt, _found = deflection.suggest(
        supported_customer, "резервное копирование", channel=FilingAttempt.Channel.WEB
    )
    deflection.opened(attempt.code, backup.pk)

    ticket = services.open_ticket(
        contact=supported_customer,
        licence=active_licence,
        subject="Резервное копирование",
        description="Не помогло.",
        category=Ticket.Category.OTHER,
        channel=Ticket.Channel.WEB,
    )

    attempt.refresh_from_db()
    assert attempt.outcome == FilingAttempt.Outcome.FILED
    assert attempt.ticket == ticket
    later = now() + datetime.timedelta(hours=2)
    assert not FilingAttempt.objects.deflected(at=later).exists()


def test_a_ticket_by_e_mail_ends_no_portal_attempt(
    backup, supported_customer, active_licence
) -> None:
    attempt, _found = deflection.suggest(
        supported_customer, "резервное копирование", channel=FilingAttempt.Channel.WEB
    )
    services.open_ticket(
        contact=supported_customer,
        licence=active_licence,
        subject="Другое",
        description="Письмо.",
        category=Ticket.Category.OTHER,
        channel=Ticket.Channel.EMAIL,
    )
    attempt.refresh_from_db()
    assert attempt.outcome == FilingAttempt.Outcome.OPEN


def test_opening_an_article_and_leaving_is_a_deflection_after_an_hour(
    backup, supported_customer
) -> None:
    opened, _found = deflection.suggest(
        supported_customer, "резервное копирование", channel=FilingAttempt.Channel.WEB
    )
    deflection.opened(opened.code, backup.pk)
    only_shown, _found = deflection.suggest(
        supported_customer, "настройка копирования", channel=FilingAttempt.Channel.WEB
    )

    soon = now() + datetime.timedelta(minutes=30)
    later = now() + datetime.timedelta(minutes=61)
    assert not FilingAttempt.objects.deflected(at=soon).exists()
    assert list(FilingAttempt.objects.deflected(at=later)) == [opened]
    assert only_shown.outcome == FilingAttempt.Outcome.OPEN


def _numbered_links(text: str) -> list[str]:
    return re.findall(r"^\d\. .+\n(\S+)$", text, flags=re.MULTILINE)


def test_the_bot_suggests_articles_after_the_subject(
    customer_chat, articles, customer, active_licence
) -> None:
    customer_chat.press("new")
    customer_chat.send("Резервное копирование")

    text = customer_chat.last()["text"]
    assert "Резервное копирование в облако" in text
    assert "внутренняя" not in text
    assert "черновик" not in text
    assert "Mail Gateway" not in text
    attempt = FilingAttempt.objects.get()
    assert attempt.channel == FilingAttempt.Channel.TELEGRAM
    links = _numbered_links(text)
    assert len(links) == 3
    assert all(f"/kb/s/{attempt.code}/" in link for link in links)
    assert customer_chat.buttons()[:3] == ["solved:1", "solved:2", "solved:3"]

    # The customer can still describe the problem and file it.
    customer_chat.send("Описание")
    customer_chat.press("send")
    attempt.refresh_from_db()
    assert attempt.outcome == FilingAttempt.Outcome.FILED
    assert attempt.ticket == Ticket.objects.get()


def test_a_number_pressed_in_the_bot_says_that_article_answered(
    customer_chat, articles, customer, active_licence
) -> None:
    customer_chat.press("new")
    customer_chat.send("Резервное копирование")
    first = Suggestion.objects.get(position=1)

    customer_chat.press("solved:1")

    attempt = FilingAttempt.objects.get()
    assert attempt.outcome == FilingAttempt.Outcome.SOLVED
    assert attempt.solved_by_id == first.article_id
    assert not Ticket.objects.exists()
    assert "new" in customer_chat.buttons()
    # The conversation is over: a second press belongs to nothing.
    customer_chat.press("solved:2")
    assert "new" in customer_chat.buttons()
    assert FilingAttempt.objects.get().solved_by_id == first.article_id


def test_the_bot_asks_for_the_text_at_once_when_nothing_matches(
    customer_chat, articles
) -> None:
    customer_chat.press("new")
    customer_chat.send("Принтер")
    assert customer_chat.buttons() == ["send", "cancel"]
    assert not FilingAttempt.objects.exists()
