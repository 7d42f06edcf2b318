"""The knowledge base's figures for supervisors, against counts made by hand."""

from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import now

from knowledge import deflection, figures, services
from knowledge.models import Article, FilingAttempt, TicketArticle
from tests.auth import sign_in
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(publish) -> tuple[Article, Article]:
    return (
        publish(ru=("Резервное копирование", "backup", "Текст.")),
        publish(ru=("Резервное копирование почты", "mail-backup", "Текст.")),
    )


def attempt(user, subject="резервное копирование", channel="web") -> FilingAttempt:
    made, _found = deflection.suggest(user, subject, channel=channel)
    return made


def test_figures_count_what_customers_did(
    supported_customer, lapsed_customer, two, active_licence, agent
) -> None:
    first, second = two
    # 1: opened the first article and said it answered the question.
    solved = attempt(supported_customer)
    deflection.opened(solved.code, first.pk)
    deflection.solved(supported_customer, solved.code, first.pk)
    # 2: opened the second and left two hours ago.
    left = attempt(lapsed_customer, channel="telegram")
    deflection.opened(left.code, second.pk)
    FilingAttempt.objects.filter(pk=left.pk).update(
        updated_at=now() - datetime.timedelta(hours=2)
    )
    # 3: opened the second, then filed anyway.
    filed = attempt(supported_customer)
    deflection.opened(filed.code, second.pk)
    ticket = ticket_services.open_ticket(
        contact=supported_customer,
        licence=active_licence,
        subject="Резервное копирование",
        description="Не помогло.",
        category=Ticket.Category.OTHER,
    )
    # 4: shown only, still typing.
    attempt(lapsed_customer)
    # Older than the period: not counted.
    old = attempt(supported_customer)
    FilingAttempt.objects.filter(pk=old.pk).update(
        created_at=now() - datetime.timedelta(days=40)
    )
    old.suggestions.update(shown_at=now() - datetime.timedelta(days=40))
    # A link sent in a reply and opened; one inserted but never sent.
    TicketArticle.objects.create(
        article=first, ticket=ticket, language="ru", sent_at=now(), opened_at=now()
    )
    TicketArticle.objects.create(article=first, ticket=ticket, language="ru")
    services.record_feedback(first, language="ru", helpful=False, comment="Устарело")
    services.record_feedback(first, language="ru", helpful=True)

    seen = figures.figures(30)

    assert (seen.attempts, seen.shown, seen.opened) == (4, 8, 3)
    assert (seen.deflected, seen.solved, seen.filed) == (2, 1, 1)
    assert seen.deflection_percent == 50
    assert [(c.channel, c.attempts, c.deflected, c.filed) for c in seen.channels] == [
        ("Портал", 3, 1, 1),
        ("Telegram", 1, 1, 0),
    ]
    best = {a.article_id: (a.shown, a.opened, a.deflected, a.filed) for a in seen.best}
    assert best == {first.pk: (4, 1, 1, 0), second.pk: (4, 2, 1, 1)}
    assert seen.worst == []  # neither was shown five times
    assert (seen.links_sent, seen.links_opened) == (1, 1)
    [unhelpful] = seen.unhelpful
    assert (unhelpful.article_id, unhelpful.no, unhelpful.yes) == (first.pk, 1, 1)
    assert unhelpful.comments == ["Устарело"]
    assert unhelpful.title == "Резервное копирование"


def test_the_least_deflecting_articles_are_those_often_shown(
    supported_customer, two
) -> None:
    first, second = two
    for _ in range(figures.FEWEST_SHOWINGS):
        made = attempt(supported_customer)
        FilingAttempt.objects.filter(pk=made.pk).update(outcome="filed")
    solved = attempt(supported_customer)
    deflection.solved(supported_customer, solved.code, second.pk)

    seen = figures.figures(7)

    assert [a.article_id for a in seen.worst] == [first.pk, second.pk]
    assert [a.article_id for a in seen.best] == [second.pk]


def test_only_supervisors_see_the_figures(client, agent, supervisor, two) -> None:
    sign_in(client, agent)
    assert client.get("/kb/figures/").status_code == 403
    sign_in(client, supervisor)
    page = client.get("/kb/figures/?days=7")
    assert page.status_code == 200
    assert page.context["days"] == 7
    assert client.get("/kb/figures/?days=12").context["days"] == 30
    dashboard = client.get("/staff/dashboard/").content.decode()
    assert 'href="/kb/figures/"' in dashboard
