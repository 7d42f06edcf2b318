"""The language of a session and the language of a person's e-mails are
separate: the switch at the top changes the first, the profile the second."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, user, **headers):
    return client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        follow=True,
        **headers,
    )


def test_the_switch_changes_the_session_not_the_email_language(
    client, customer
) -> None:
    client.force_login(customer)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    customer.refresh_from_db()
    assert customer.language == "ru"
    assert client.get("/").headers["Content-Language"] == "en"


def test_signing_in_without_a_choice_brings_the_persons_language(
    client, customer
) -> None:
    customer.language = "en"
    customer.save()

    response = _sign_in(client, customer)

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/").headers["Content-Language"] == "en"
    # The sign-in message too, naming the person once.
    [message] = response.context["messages"]
    assert str(message) == f"Successfully signed in as {customer.full_name}."


def test_a_language_chosen_before_signing_in_stays_and_changes_no_email(
    client, customer
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = _sign_in(client, customer)

    customer.refresh_from_db()
    assert customer.language == "ru"
    assert client.get("/").headers["Content-Language"] == "en"
    [message] = response.context["messages"]
    assert str(message).startswith("Successfully signed in as")


def test_the_profile_sets_the_language_of_emails(client, customer) -> None:
    client.force_login(customer)

    response = client.post(
        "/profile/",
        {"full_name": customer.full_name, "language": "en", "phone": ""},
    )

    customer.refresh_from_db()
    assert response.status_code == 302
    assert customer.language == "en"


def test_an_unknown_language_changes_nothing(client, customer) -> None:
    client.force_login(customer)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    customer.refresh_from_db()
    assert customer.language == "ru"
    assert client.get("/").headers["Content-Language"] == "ru"
