"""What allauth gives every account, as configured here."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.licence_import import apply_import, preview_import
from accounts.models import LicenceImport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, customer, mailoutbox
) -> None:
    known = client.post("/accounts/password/reset/", {"email": customer.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mailoutbox if "/accounts/password/reset/key/" in m.body] == [
        [customer.email]
    ]


def test_repeated_failed_logins_are_stopped(client, customer) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"login": customer.email, "password": "wrong"})

    response = client.post(
        "/accounts/login/",
        {"login": customer.email, "password": "correct-horse-battery"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_login_rotates_the_session_and_logout_ends_it(client, customer) -> None:
    client.get("/accounts/login/")
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    client.post(
        "/accounts/login/",
        {"login": customer.email, "password": "correct-horse-battery"},
    )
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before is None or before.value != after

    client.post("/accounts/logout/")

    assert client.get("/organisation/contacts/").status_code == 302


def test_the_example_csv_in_the_demo_data_imports_cleanly(organisation) -> None:
    from django.core.management import call_command

    call_command("seed_demo")
    content = (
        Path(settings.BASE_DIR) / "accounts/demo/licences-example.csv"
    ).read_text()

    licence_import = apply_import(
        preview_import(LicenceImport.objects.create(file_name="x.csv", content=content))
    )

    assert licence_import.status == LicenceImport.Status.DONE
    assert licence_import.summary == {
        "create": 4,
        "change": 0,
        "unchanged": 0,
        "invalid": 0,
    }
