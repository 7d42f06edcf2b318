"""A contact none of whose licences has active support is told so at once,
on the home page and the filing page, with how to renew, and gets no form."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed_only(customer, lapsed_licence):
    return customer


@pytest.mark.parametrize("path", ["/", "/tickets/new/"])
def test_a_contact_without_active_support_is_told_at_once(
    client, lapsed_only, lapsed_licence, path
) -> None:
    client.force_login(lapsed_only)

    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Support has ended for your licences" in html
    assert 'href="mailto:support@helpdesk.localhost"' in html
    assert 'action="/tickets/new/"' not in html
    assert 'name="subject"' not in html
    assert 'href="/tickets/new/"' not in html
    if path == "/tickets/new/":
        ended = lapsed_licence.support_ends_on
        assert lapsed_licence.number in html
        assert f"support ended on {ended.day} {ended:%B %Y}" in html


def test_a_renewal_link_from_the_settings_is_offered(
    client, lapsed_only, settings
) -> None:
    settings.RENEWAL_URL = "https://shop.example/renew"
    client.force_login(lapsed_only)

    html = client.get("/tickets/new/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Поддержка по вашим лицензиям закончилась" in html
    assert '<a class="button" href="https://shop.example/renew">' in html


def test_one_active_licence_is_enough_to_file(
    client, customer, lapsed_licence, active_licence
) -> None:
    client.force_login(customer)

    html = client.get("/tickets/new/").content.decode()

    assert 'name="subject"' in html
    assert "support-ended-title" not in html


def test_a_contact_of_an_organisation_without_licences_is_told_too(
    client, customer
) -> None:
    client.force_login(customer)

    html = client.get("/tickets/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "No licences are linked to your account yet." in html
    assert 'name="subject"' not in html
