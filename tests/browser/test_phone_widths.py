"""Nothing scrolls sideways on a 390-pixel phone: wide tables scroll inside
their own focusable box, the page does not. (Issue 20 goes on to cards.)"""

from __future__ import annotations

import pytest

from tests.auth import current_totp_code
from tests.factories import PASSWORD
from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_PAGES = [
    "/",
    "/tickets/",
    "/tickets/new/",
    "/organisation/contacts/",
    "/support-hours/",
    "/profile/",
]
STAFF_PAGES = ["/staff/queue/", "/staff/access-requests/", "/staff/dashboard/"]


def _sign_in(page, email: str, *, totp: bool = False) -> None:
    page.goto(page.url_for("/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    if totp:
        page.locator("input[name=code]").fill(current_totp_code())
        page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_load_state()


def _widths(page, paths: list[str]) -> dict[str, int]:
    widths = {}
    for path in paths:
        page.goto(page.url_for(path))
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    return widths


@pytest.mark.parametrize("language", ["ru", "en"])
def test_customer_and_staff_pages_fit_a_phone(
    browser, live_server, customer, supervisor, active_licence, language
) -> None:
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Служба не запускается после обновления до последней версии",
        description="Журнал приложен.",
        category=Ticket.Category.MALFUNCTION,
    )
    found = {}
    for email, paths, totp in (
        (customer.email, [*CUSTOMER_PAGES, ticket.get_absolute_url()], False),
        (supervisor.email, [*STAFF_PAGES, ticket.get_absolute_url()], True),
    ):
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="ru-RU" if language == "ru" else "en-GB",
            timezone_id="Europe/Moscow",
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        page.url_for = lambda path="/": f"{live_server.url}{path}"
        _sign_in(page, email, totp=totp)
        found.update({f"{email} {path}": w for path, w in _widths(page, paths).items()})
        context.close()

    assert {page: width for page, width in found.items() if width > 390} == {}
