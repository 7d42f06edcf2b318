"""The measured journey of an agent: from the queue they land on after
signing in, answer the first ticket in at most 5 keystrokes besides the
text, on a desktop and on a phone-sized screen, with the US and the Russian
keyboard layout (the shortcuts follow the physical key), in Russian and
English. Every keystroke goes through `_key`, which counts it; a chord
(Ctrl+Enter) counts as one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.signing import sign_in
from tests.browser.test_staff_queue import workspace_data  # noqa: F401 (fixture)
from tickets.models import Message, Ticket
from tickets.services import open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_KEYSTROKES = 5
SCREENS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}},
}
# What each physical key types in the layout: the shortcuts must not care.
LAYOUTS = {
    "us": {"KeyJ": "j", "KeyO": "o", "KeyR": "r"},
    "ru": {"KeyJ": "о", "KeyO": "щ", "KeyR": "к"},
}


@pytest.mark.parametrize(
    ("layout", "language"), [("us", "en"), ("ru", "ru")], ids=["us-en", "ru-ru"]
)
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_an_agent_answers_the_first_ticket_in_five_keystrokes(
    browser,
    live_server,
    workspace_data,  # noqa: F811 (fixture)
    customer,
    agent,
    active_licence,
    screen,
    layout,
    language,
) -> None:
    first = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Сервер лицензий недоступен",
        description="Никто не может войти.",
        category=Ticket.Category.MALFUNCTION,
        priority=Ticket.Priority.CRITICAL,
    )
    open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Как выгрузить отчёт?",
        description="Где кнопка?",
        category=Ticket.Category.OTHER,
        priority=Ticket.Priority.LOW,
    )
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
    page.url_for = lambda path="/": f"{live_server.url}{path}"
    sign_in(page, agent.email, totp=True)
    expect(page).to_have_url(f"{live_server.url}/staff/queue/")
    page.wait_for_load_state("load")
    keystrokes = 0

    def _key(code: str) -> None:
        nonlocal keystrokes
        keystrokes += 1
        if layout == "us":
            page.keyboard.press(LAYOUTS["us"][code])
            return
        # Playwright types in the US layout; the Russian one sends the same
        # physical key (`code`) with another character (`key`).
        page.evaluate(
            """([code, key]) => (document.activeElement || document.body)
                .dispatchEvent(new KeyboardEvent("keydown",
                    {code, key, bubbles: true, cancelable: true}))""",
            [code, LAYOUTS["ru"][code]],
        )

    _key("KeyJ")
    _key("KeyO")
    expect(page.get_by_role("heading", name=first.subject)).to_be_visible()
    page.wait_for_load_state("load")
    _key("KeyR")
    expect(page.locator("#reply-form textarea")).to_be_focused()
    page.keyboard.type("Перезапустите службу лицензий.")
    keystrokes += 1
    page.keyboard.press("Control+Enter")

    expect(page.locator(".message-success")).to_be_visible()
    assert keystrokes <= MOST_KEYSTROKES
    reply = Message.objects.get(ticket=first, author=agent)
    assert (reply.kind, reply.body) == (
        Message.Kind.REPLY,
        "Перезапустите службу лицензий.",
    )
    context.close()
