"""On a phone a list table is a stack of cards, each value under its column's
name, and the menu has a line of its own; a wide screen keeps the table."""

from __future__ import annotations

import pytest

from tests.auth import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAYOUT = """() => {
  const table = document.querySelector("table.cards");
  const cell = table.querySelector("tbody td");
  const brand = document.querySelector(".brand").getBoundingClientRect();
  const menu = document.querySelector(".main-nav").getBoundingClientRect();
  return {
    row: getComputedStyle(table.querySelector("tbody tr")).display,
    label: getComputedStyle(cell, "::before").content,
    header: table.querySelector("thead").getBoundingClientRect().height,
    menuBelowName: menu.top >= brand.bottom,
  };
}"""


def test_the_licences_are_cards_on_a_phone_and_a_table_on_a_desktop(
    browser, live_server, client, customer, active_licence
) -> None:
    sign_in(client, customer)
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 390, "height": 844}
    )
    session = client.cookies["sessionid"].value
    context.add_cookies(
        [
            {"name": "sessionid", "value": session, "url": live_server.url},
            {"name": "django_language", "value": "ru", "url": live_server.url},
        ]
    )
    tab = context.new_page()
    tab.goto(f"{live_server.url}/")

    phone = tab.evaluate(LAYOUT)
    tab.set_viewport_size({"width": 1366, "height": 768})
    desktop = tab.evaluate(LAYOUT)
    context.close()

    assert phone == {
        "row": "block",
        "label": '"Номер лицензии"',
        "header": 1,
        "menuBelowName": True,
    }
    assert (desktop["row"], desktop["label"], desktop["menuBelowName"]) == (
        "table-row",
        "none",
        False,
    )
