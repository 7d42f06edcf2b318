from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.requirements import require_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[object]:
    """Headless Chromium, started after the test database exists (its set-up
    must not run inside Playwright's event loop)."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test thread; the ORM
    # calls that tests make around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A Russian-speaking visitor's tab, with `page.url_for(path)` on the live server."""
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.url_for = lambda path="/": f"{live_server.url}{path}"
    yield tab
    context.close()
