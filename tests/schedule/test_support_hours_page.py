from __future__ import annotations

import pytest
import time_machine

from schedule.models import CalendarYear, DateOverride
from tests.auth import sign_in
from tests.schedule.support import msk

pytestmark = pytest.mark.django_db

URL = "/support-hours/"


def get(client, language: str = "ru", at=None) -> str:
    with time_machine.travel(at or msk(2026, 12, 1, 12), tick=False):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.text


def test_anyone_can_read_it_in_russian(client) -> None:
    html = get(client)

    assert "<h1>Часы работы поддержки и контакты</h1>" in html
    assert "Понедельник" in html
    assert "07:00–19:00" in html
    assert "09:00–16:00" in html
    assert "не работает" in html


def test_it_reads_in_english(client) -> None:
    html = get(client, "en")

    assert "<h1>Support hours and contacts</h1>" in html
    assert "Saturday" in html
    assert "09:00–16:00" in html


def test_it_lists_the_coming_holidays_and_changed_days(client) -> None:
    html = get(client, "en", msk(2026, 12, 1, 12))

    # 31 December 2026 (moved from 4 January) runs into the New Year holidays.
    assert "31 December 2026 – 8 January 2027" in html
    assert "Days off: New Year holidays, Orthodox Christmas" in html
    # Monday 22 February 2027 took the day off of Saturday 20 February.
    assert "22–23 February" in html
    assert "Days off: Defender of the Fatherland Day" in html
    # Saturday 20 February 2027: a working day, shortened before the holiday.
    assert "20 February, Sat" in html
    assert "Working day instead of a day off, shortened before the holiday" in html
    assert "07:00–18:00" in html


def test_holiday_titles_are_the_official_ones_in_russian(client) -> None:
    html = get(client, "ru", msk(2026, 12, 1, 12))

    assert "Выходные дни: Новогодние каникулы, Рождество Христово" in html
    assert "Выходные дни: День защитника Отечества" in html


def test_a_single_moved_day_off_says_where_it_came_from(client) -> None:
    html = get(client, "en", msk(2026, 4, 15, 12))

    assert "9 May, Sat" in html
    assert "Public holiday: Victory Day" in html
    assert "11 May, Mon" in html
    assert "Day off, moved from 9 May" in html


def test_it_shows_a_company_event_override(client) -> None:
    DateOverride.objects.create(date="2026-12-04", note="Corporate training day")

    html = get(client, "en", msk(2026, 12, 1, 12))

    assert "Corporate training day" in html


def test_the_contacts_come_from_the_settings(client, settings) -> None:
    settings.SUPPORT_PHONE = "+7 495 765-43-21"
    settings.SUPPORT_EMAIL = "help@vendor.example"
    settings.SUPPORT_TELEGRAM = "@vendor_help_bot"

    html = get(client, "en")

    assert "+7 495 765-43-21" in html
    assert "mailto:help@vendor.example" in html
    assert "@vendor_help_bot" in html


def test_it_is_linked_from_the_header(client) -> None:
    html = get(client, "en")

    assert '<a href="/support-hours/">Support hours</a>' in html


def test_staff_are_warned_about_a_missing_year(client, agent) -> None:
    CalendarYear.objects.filter(year=2027).delete()
    sign_in(client, agent)

    html = get(client, "en", msk(2026, 12, 1, 12))

    assert "the production calendar for 2027 has not been imported" in html


def test_customers_see_no_staff_warning(client, customer) -> None:
    CalendarYear.objects.filter(year=2027).delete()
    client.force_login(customer)

    assert "has not been imported" not in get(client, "en", msk(2026, 12, 1, 12))


def test_it_only_reads(client) -> None:
    assert client.post(URL).status_code == 405
