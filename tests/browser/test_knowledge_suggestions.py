"""The knowledge base where tickets are written, in a browser: articles
suggested as a customer types a subject, opened in a new tab, and "this
answered my question"; an agent linking an article from the composer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from knowledge import services
from knowledge.models import Article, Category, FilingAttempt, TicketArticle
from tests.browser.signing import sign_in
from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def backups(agent, supervisor) -> Article:
    category = Category.objects.create(name_ru="Настройка", slug="setup")
    article = Article.objects.create(category=category, author=agent)
    services.save_translation(
        article,
        language="ru",
        title="Настройка резервного копирования",
        slug="backup-ru",
        body="Откройте раздел «Резервное копирование».",
        by=agent,
    )
    services.save_translation(
        article,
        language="en",
        title="Configuring backups",
        slug="backup",
        body="Open the Backups section.",
        by=agent,
    )
    services.move_article(article, to=Article.State.REVIEW, by=agent)
    return services.move_article(article, to=Article.State.PUBLISHED, by=supervisor)


def test_a_customer_is_answered_before_filing(
    page, customer, active_licence, backups
) -> None:
    sign_in(page, customer.email)
    page.goto(page.url_for("/tickets/new/"))
    page.wait_for_load_state("load")
    suggestions = page.locator("[data-suggest-url]")
    expect(suggestions).to_be_hidden()

    page.get_by_label("Тема").press_sequentially("Резервное копир", delay=30)

    link = suggestions.get_by_role("link", name="Настройка резервного копирования")
    expect(link).to_be_visible()
    expect(suggestions).to_contain_text("Возможно, ответ на ваш вопрос есть")
    answered = suggestions.get_by_role("button", name="Это ответ на мой вопрос")
    expect(answered).to_be_hidden()
    attempt = FilingAttempt.objects.get()

    # The article opens in a new tab; the form keeps what was typed.
    with page.context.expect_page() as opened:
        link.click()
    article_tab = opened.value
    article_tab.wait_for_load_state("load")
    expect(article_tab.locator("h1")).to_have_text("Настройка резервного копирования")
    article_tab.close()
    expect(page.get_by_label("Тема")).to_have_value("Резервное копир")
    attempt.refresh_from_db()
    assert attempt.opened_at is not None

    expect(answered).to_be_visible()
    answered.click()
    expect(page).to_have_url(re.compile(r"/tickets/$"))
    expect(
        page.get_by_text("Рады, что статья помогла. Заявка не создана.")
    ).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.outcome == FilingAttempt.Outcome.SOLVED
    assert not Ticket.objects.exists()


def test_an_agent_links_an_article_in_the_customers_language(
    page, customer, agent, active_licence, backups
) -> None:
    customer.language = "en"
    customer.save(update_fields=["language"])
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Backups fail",
        description="d",
        category=Ticket.Category.MALFUNCTION,
    )
    sign_in(page, agent.email, totp=True)
    page.goto(page.url_for(ticket.get_absolute_url()))
    page.wait_for_load_state("load")

    page.get_by_label("Сообщение").fill("Прочитайте: ")
    page.get_by_label("Ссылка на статью базы знаний").fill("резервное")
    found = page.locator("[data-article-results] li").first
    expect(found).to_contain_text("Configuring backups")
    # Enter in the finder searches; it does not send the reply.
    page.get_by_label("Ссылка на статью базы знаний").press("Enter")
    found.get_by_role("button", name="Вставить ссылку").click()

    expect(page.get_by_label("Сообщение")).to_have_value(
        re.compile(r"^Прочитайте: \[Configuring backups\]\(.*/kb/l/[-0-9a-f]+/\)$")
    )
    tracked = TicketArticle.objects.get()
    assert f"/kb/l/{tracked.code}/" in page.get_by_label("Сообщение").input_value()
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.get_by_text("Прочитайте:")).to_be_visible()
    tracked.refresh_from_db()
    assert tracked.sent_at is not None
    assert ticket.messages.filter(kind="reply").count() == 1
