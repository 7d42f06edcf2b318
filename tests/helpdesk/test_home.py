from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_speaks_russian_by_default(client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ru"
    assert "Техническая поддержка" in response.text
    assert "Обучение пользователей в неё не входит" in response.text


def test_the_language_switcher_turns_the_site_english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/")
    assert page.headers["Content-Language"] == "en"
    assert "Technical support" in page.text
    assert "does not include user training" in page.text


def test_the_footer_shows_the_support_contacts(client, settings) -> None:
    settings.SUPPORT_PHONE = "+7 495 123-45-67"

    response = client.get("/")

    assert "+7 495 123-45-67" in response.text
    assert settings.SUPPORT_EMAIL in response.text


def test_a_customer_sees_their_licences_with_support_end_dates(
    client, customer, active_licence, other_organisation
) -> None:
    foreign = LicenceFactory(
        organisation=other_organisation, number="BETA-0001-AAAA-0001"
    )
    client.force_login(customer)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")

    assert active_licence.number in response.text
    assert foreign.number not in response.text
    assert str(active_licence.support_ends_on.year) in response.text


def _queries_for_home_page(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_home_page_query_count_does_not_grow_with_licences(
    client, customer, organisation
) -> None:
    LicenceFactory(organisation=organisation)
    client.force_login(customer)
    client.get("/")  # the first request of a process also loads the support calendar
    with_one = _queries_for_home_page(client)

    LicenceFactory.create_batch(10, organisation=organisation)

    assert _queries_for_home_page(client) == with_one
