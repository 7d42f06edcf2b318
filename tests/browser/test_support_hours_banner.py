from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine
from playwright.sync_api import expect

from schedule import current
from tests.schedule.support import msk, restore_shipped_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def shipped_schedule() -> Iterator[None]:
    # An earlier transactional test's flush emptied the tables.
    restore_shipped_schedule()
    yield
    current.forget()


def test_the_banner_turns_closed_at_seven_pm_and_open_at_seven_am(page) -> None:
    banner = page.locator(".hours-banner")
    with time_machine.travel(msk(2026, 1, 12, 18, 59, 59), tick=False) as clock:
        page.goto(page.url_for("/"))
        expect(banner).to_have_class(re.compile(r"\bis-open\b"))
        expect(banner).to_contain_text("Поддержка работает до 19:00 МСК")
        # The visitor is in Moscow: no second, local time.
        expect(page.locator(".local-time")).to_be_hidden()

        clock.move_to(msk(2026, 1, 12, 19))
        page.reload()
        expect(banner).to_have_class(re.compile(r"\bis-closed\b"))
        expect(banner).to_contain_text(
            "Поддержка не работает, откроется завтра в 07:00 МСК"
        )

        clock.move_to(msk(2026, 1, 13, 7))
        page.reload()
        expect(banner).to_have_class(re.compile(r"\bis-open\b"))


def test_the_banner_names_the_day_after_the_new_year_holidays(page) -> None:
    with time_machine.travel(msk(2026, 12, 31, 20), tick=False):
        page.goto(page.url_for("/support-hours/"))

        expect(page.locator(".hours-banner")).to_contain_text(
            "откроется в субботу, 9 января, в 09:00 МСК"
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Часы работы поддержки и контакты"
        )


def test_a_visitor_in_another_zone_also_sees_their_own_time(
    browser, live_server
) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Vladivostok")
    tab = context.new_page()
    try:
        with time_machine.travel(msk(2026, 1, 12, 12), tick=False):
            tab.goto(f"{live_server.url}/")

            expect(tab.locator(".hours-banner")).to_contain_text(
                "Support is open until 19:00 Moscow time"
            )
            # 19:00 in Moscow is 02:00 on Tuesday in Vladivostok.
            local_time = tab.locator(".local-time")
            expect(local_time).to_be_visible()
            expect(local_time).to_contain_text("(your time:")
            expect(local_time).to_contain_text("02:00")
            expect(local_time).to_contain_text("13")
    finally:
        context.close()
