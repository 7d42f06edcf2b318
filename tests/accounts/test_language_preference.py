from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_switching_language_is_remembered_for_the_user(client, customer) -> None:
    client.force_login(customer)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    customer.refresh_from_db()
    assert customer.language == "en"


def test_signing_in_brings_the_preferred_language(client, customer) -> None:
    customer.language = "en"
    customer.save()

    response = client.post(
        "/accounts/login/",
        {"login": customer.email, "password": "correct-horse-battery"},
    )

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/").headers["Content-Language"] == "en"


def test_an_unknown_language_changes_nothing(client, customer) -> None:
    client.force_login(customer)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    customer.refresh_from_db()
    assert customer.language == "ru"


def test_a_language_chosen_before_signing_in_wins_and_is_remembered(
    client, customer
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    client.post(
        "/accounts/login/",
        {"login": customer.email, "password": "correct-horse-battery"},
    )

    customer.refresh_from_db()
    assert customer.language == "en"
    assert client.get("/").headers["Content-Language"] == "en"
