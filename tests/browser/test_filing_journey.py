"""The measured journey: a customer with an active licence starts at the
sign-in page, signs in, files a ticket and sees it, in at most 8 clicks or
taps besides typing, on a desktop and on a phone, in Russian and English.
Every click or tap goes through `_press`, which counts it; choosing from a
list counts as one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_PRESSES = 8
SCREENS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}
WORDS = {
    "ru": {
        "new_ticket": "Новая заявка",
        "licence": "Лицензия",
        "subject": "Тема",
        "description": "Описание",
        "category": "Неисправность",
        "file": "Подать заявку",
        "new_reply": "Новый ответ",
    },
    "en": {
        "new_ticket": "New ticket",
        "licence": "Licence",
        "subject": "Subject",
        "description": "Description",
        "category": "Malfunction",
        "file": "File the ticket",
        "new_reply": "New reply",
    },
}


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_customer_files_a_ticket_from_the_sign_in_page(
    browser, live_server, customer, active_licence, screen, language
) -> None:
    context = browser.new_context(
        locale=f"{language}-{language.upper()}",
        timezone_id="Europe/Moscow",
        **SCREENS[screen],
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    words = WORDS[language]
    presses = 0

    def _press(locator) -> None:
        nonlocal presses
        presses += 1
        if screen == "phone":
            locator.tap()
        else:
            locator.click()

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(customer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    _press(page.locator("form:has(input[name=password]) button[type=submit]"))
    _press(page.get_by_role("link", name=words["new_ticket"]).first)
    # The home page has a region labelled "Licences": wait for the form's page.
    page.wait_for_url(re.compile(r"/tickets/new/"))
    licence = page.get_by_label(words["licence"])
    if licence.input_value() != str(active_licence.pk):
        presses += 1  # a tap on the list and one on the licence, counted as one
        licence.select_option(str(active_licence.pk))
    page.get_by_label(words["subject"]).fill("Служба не запускается")
    page.get_by_label(words["description"]).fill("После обновления служба не стартует.")
    _press(page.get_by_label(words["category"]))
    _press(page.get_by_role("button", name=words["file"]))

    expect(page.locator(".timeline-message")).to_be_visible()
    ticket = Ticket.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.reference)
    expect(page.locator(".timeline-message")).to_contain_text("служба не стартует")
    width = SCREENS[screen]["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()

    assert presses <= MOST_PRESSES, f"{presses} presses on the {screen} in {language}"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_list_on_a_phone_shows_cards_with_the_marker(
    browser, live_server, customer, agent, active_licence, language
) -> None:
    """Below 640 px each ticket is a card: the reference on one line, the
    subject, the status, the last activity and "New reply" in words; nothing
    scrolls sideways, and the tickets are reached by keyboard."""
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Очень длинная тема заявки, которая не помещается в одну строку",
        description="d",
        category="other",
    )
    add_message(ticket, author=agent, body="Ответ.")
    context = browser.new_context(
        locale=f"{language}-{language.upper()}", **SCREENS["phone"]
    )
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(customer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").tap()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{live_server.url}/tickets/")

    row = page.locator(".ticket-list tbody tr").first
    reference = row.locator(".reference")
    expect(row.locator(".badge-new")).to_have_text(WORDS[language]["new_reply"])
    expect(row.locator(".status")).to_be_visible()
    expect(row.locator(".activity")).to_be_visible()
    expect(page.locator(".ticket-list thead")).to_be_hidden()
    line_height = reference.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight) || 24"
    )
    assert reference.bounding_box()["height"] < 1.5 * line_height
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The keyboard reaches the ticket: a link of the card takes the focus.
    row.locator(".reference a").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.reference)
    context.close()
