from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.schedule.support import msk

pytestmark = pytest.mark.django_db


def banner_text(client, at: dt.datetime, language: str = "ru") -> str:
    with time_machine.travel(at, tick=False):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.text
    start = html.index('<div class="hours-banner')
    return html[start : html.index("</div>", start)]


def test_open_says_until_when_in_russian(client) -> None:
    html = banner_text(client, msk(2026, 1, 12, 12))

    assert "is-open" in html
    assert "Поддержка работает до 19:00 МСК" in html


def test_open_says_until_when_in_english(client) -> None:
    html = banner_text(client, msk(2026, 1, 12, 12), "en")

    assert "Support is open until 19:00 Moscow time" in html


def test_closed_says_the_day_and_time_it_opens_in_russian(client) -> None:
    html = banner_text(client, msk(2026, 12, 31, 20))

    assert "is-closed" in html
    assert "Поддержка не работает, откроется в субботу, 9 января, в 09:00 МСК" in html


def test_closed_says_the_day_and_time_it_opens_in_english(client) -> None:
    html = banner_text(client, msk(2026, 12, 31, 20), "en")

    assert (
        "Support is closed; it opens on Saturday, 9 January, at 09:00 Moscow time"
        in html
    )


@pytest.mark.parametrize(
    ("at", "russian", "english"),
    [
        (
            msk(2026, 1, 12, 20),
            "откроется завтра в 07:00 МСК",
            "it opens tomorrow at 07:00",
        ),
        (
            msk(2026, 1, 13, 5),
            "откроется сегодня в 07:00 МСК",
            "it opens today at 07:00",
        ),
    ],
)
def test_today_and_tomorrow_are_said_so(client, at, russian, english) -> None:
    assert russian in banner_text(client, at)
    assert english in banner_text(client, at, "en")


def test_weekdays_take_the_russian_accusative(client) -> None:
    # Closed from Friday 6 March 2026 19:00 to Tuesday 10 March (9 March is
    # the day off moved from Sunday 8 March): "во вторник", not "в вторник".
    html = banner_text(client, msk(2026, 3, 9, 12))

    assert "откроется завтра" in html
    html = banner_text(client, msk(2026, 3, 8, 12))
    assert "откроется во вторник, 10 марта, в 07:00 МСК" in html


def test_the_banner_carries_the_instant_for_the_local_time_script(client) -> None:
    html = banner_text(client, msk(2026, 1, 12, 12))

    assert 'data-local-time="2026-01-12T19:00:00+03:00"' in html
    assert 'class="local-time"' in html


def test_the_banner_links_to_the_hours_page(client) -> None:
    assert 'href="/support-hours/"' in banner_text(client, msk(2026, 1, 12, 12))


def test_the_banner_is_on_pages_for_signed_in_customers_too(client, customer) -> None:
    client.force_login(customer)

    assert "Поддержка работает до 19:00 МСК" in banner_text(
        client, msk(2026, 1, 12, 12)
    )
