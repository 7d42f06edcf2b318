from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from schedule.models import DateOverride
from tests.auth import sign_in
from tests.schedule.support import DATA_DIR, msk

pytestmark = pytest.mark.django_db


def make_admin(user):
    user.is_superuser = True
    user.save()
    # Staff pages want a second factor (accounts.middleware); a row is enough.
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {}}
    )
    return user


@pytest.fixture
def staff_client(client, admin_user):
    sign_in(client, make_admin(admin_user))
    return client


def test_the_year_is_laid_out_as_twelve_months_with_a_legend(staff_client) -> None:
    DateOverride.objects.create(date="2026-06-05", note="Company event")

    html = staff_client.get(
        "/admin/schedule/calendarday/year/2026/", HTTP_ACCEPT_LANGUAGE="en"
    ).text

    assert html.count('<table class="month">') == 12
    assert "Decree No. 1466 of 24.09.2025" in html
    for kind in ("holiday", "shortened", "saturday", "weekend", "override"):
        assert f'class="day-{kind}' in html
    assert 'title="Public holiday: Victory Day: closed"' in html
    assert "Day off by the production calendar" in html  # the legend


def test_transferred_working_days_are_marked(staff_client) -> None:
    call_command(
        "import_production_calendar", str(DATA_DIR / "ru-2024.xml"), stdout=StringIO()
    )

    html = staff_client.get(
        "/admin/schedule/calendarday/year/2024/", HTTP_ACCEPT_LANGUAGE="en"
    ).text

    # Saturday 27 April 2024 was a working day; Saturday 2 November a short one.
    assert 'title="Working day instead of a day off: 07:00–19:00"' in html
    assert (
        'title="Working day instead of a day off, shortened before the holiday: '
        '07:00–18:00"'
    ) in html
    assert html.count('class="day-transferred') == 2  # 27 April, 28 December


def test_a_year_without_data_is_a_warning(staff_client) -> None:
    html = staff_client.get(
        "/admin/schedule/calendarday/year/2028/", HTTP_ACCEPT_LANGUAGE="en"
    ).text

    assert "No production calendar for 2028" in html


def test_the_change_lists_warn_and_link_to_the_year_view(client, admin_user) -> None:
    with time_machine.travel(msk(2027, 11, 1, 12), tick=False):
        sign_in(client, make_admin(admin_user))  # a session alive by then
        html = client.get(
            "/admin/schedule/calendarday/", HTTP_ACCEPT_LANGUAGE="en"
        ).text

    assert "The production calendar for 2028 has not been imported" in html
    assert 'href="/admin/schedule/calendarday/year/2027/"' in html


def test_the_year_view_is_for_staff_only(client, customer) -> None:
    client.force_login(customer)

    response = client.get("/admin/schedule/calendarday/year/2026/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
