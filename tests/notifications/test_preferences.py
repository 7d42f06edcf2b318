from __future__ import annotations

import datetime

import pytest

from notifications.models import Preferences
from tests.auth import sign_in
from tickets.models import NotificationSettings

pytestmark = pytest.mark.django_db

URL = "/staff/notifications/settings/"


def test_everything_is_wanted_until_chosen(client, ivan) -> None:
    sign_in(client, ivan)

    form = client.get(URL).context["form"]

    assert all(
        form.initial[name]
        for name in form.initial
        if "_" in name and name.startswith(("in_app", "email"))
    )
    assert form.initial["quiet_from"] is None


def test_saving_kinds_and_quiet_hours(client, ivan) -> None:
    sign_in(client, ivan)
    wanted = {
        "in_app_new_ticket": "on",
        "email_new_ticket": "on",
        "in_app_customer_reply": "on",
        "in_app_assigned": "on",
        "email_assigned": "on",
        "in_app_mention": "on",
        "email_mention": "on",
        "in_app_rule": "on",
        "email_rule": "on",
        "in_app_low_rating": "on",
        "email_low_rating": "on",
        "email_weekly_report": "on",
        "quiet_from": "22:00",
        "quiet_to": "08:00",
    }

    assert client.post(URL, wanted).status_code == 302

    preferences = Preferences.objects.get(user=ivan)
    assert preferences.muted_in_app == ["followed"]
    assert preferences.muted_email == ["followed"]
    assert (preferences.quiet_from, preferences.quiet_to) == (
        datetime.time(22),
        datetime.time(8),
    )
    # Customers' messages by e-mail: where the tickets' e-mail reads it.
    assert NotificationSettings.objects.get(user=ivan).on_customer_message is False
    assert client.get(URL).context["form"].initial["email_customer_reply"] is False


def test_one_end_of_the_quiet_hours_is_refused(client, ivan) -> None:
    sign_in(client, ivan)

    response = client.post(URL, {"quiet_from": "22:00"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Preferences.objects.exists()


def test_customers_are_refused(client, customer) -> None:
    client.force_login(customer)

    assert client.get(URL).status_code == 403


def test_the_weekly_report_is_offered_by_e_mail_only(client, ivan) -> None:
    sign_in(client, ivan)

    page = client.get(URL)
    client.post(URL, {"email_new_ticket": "on"})

    html = page.content.decode()
    assert 'name="email_weekly_report"' in html
    assert 'name="in_app_weekly_report"' not in html
    preferences = Preferences.objects.get(user=ivan)
    assert "weekly_report" in preferences.muted_email
    assert "weekly_report" not in preferences.muted_in_app
