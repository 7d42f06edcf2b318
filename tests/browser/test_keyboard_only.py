"""Keyboard alone: the skip link, then the sign-in form and the filing form,
reached with Tab in reading order, each control showing where the focus is,
and both forms sent without a mouse."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element is, and whether it shows it with site.css's
# :focus-visible outline (Chromium's own ring would be "auto", 1px).
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    key: element.name || element.getAttribute("href") || element.textContent.trim(),
    tag: element.tagName.toLowerCase(),
    inMain: Boolean(element.closest("main")),
    outline: style.outlineStyle === "solid" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def _tab_until(page, key: str, *, limit: int = 40) -> list[dict]:
    """Press Tab until the control named `key` has the focus; every stop on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if stops[-1]["key"] == key:
            return stops
    raise AssertionError(f"Tab never reached {key!r}: {[s['key'] for s in stops]}")


def test_sign_in_and_file_a_ticket_with_the_keyboard_alone(
    page, customer, active_licence
) -> None:
    page.goto(page.url_for("/accounts/login/"))

    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUSED)
    assert (skip["key"], skip["outline"]) == ("#main", True)
    expect(page.get_by_role("link", name="Перейти к содержимому")).to_be_in_viewport()
    page.keyboard.press("Enter")
    stops = _tab_until(page, "login")
    # The skip link passed the header by: the next stop is the form's.
    assert stops[0]["inMain"], stops[0]

    page.keyboard.type(customer.email)
    stops = _tab_until(page, "password", limit=3)
    page.keyboard.type(PASSWORD)
    stops += _tab_until(page, "Войти", limit=5)
    assert all(stop["outline"] for stop in stops), stops
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()

    page.goto(page.url_for("/tickets/new/"))
    order = ["licence", "subject", "description", "category", "priority"]
    names = []
    for name in order:
        stops = _tab_until(page, name)
        assert stops[-1]["outline"], stops[-1]
        names += [stop["key"] for stop in stops]
        if name == "licence":
            page.keyboard.press("ArrowDown")  # the first licence of the list
        elif name == "subject":
            page.keyboard.type("Служба не стартует")
        elif name == "description":
            page.keyboard.type("После обновления служба не запускается.")
        elif name == "category":
            page.keyboard.press("Space")
    assert [n for n in names if n in order] == order
    stops = _tab_until(page, "Подать заявку")
    assert stops[-1]["outline"], stops[-1]
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Служба не стартует")).to_be_visible()
    ticket = Ticket.objects.get()
    assert (ticket.licence, ticket.contact) == (active_licence, customer)
