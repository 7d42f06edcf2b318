"""Consent to the processing of personal data: asked on the access request,
sign-up and invitation forms, recorded with the text's version and the time;
a form sent without the tick comes back with everything typed."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import (
    CONSENT_VERSION,
    AccessRequest,
    Consent,
    Membership,
    User,
)
from accounts.services import invite_contact, remove_contact

pytestmark = pytest.mark.django_db

ACCESS_FORM = {
    "organisation_name": "ООО «Альфа»",
    "full_name": "Вера Новикова",
    "position": "Инженер",
    "email": "vera@alfa.example",
    "phone": "+7 912 345-67-89",
    "licence_number": "alfa-0001-aaaa-0001",
}
PASSWORD = "a-long-pass-phrase-2026"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def _consent_checkbox(html: str) -> str:
    start = html.index('name="consent"')
    return html[html.rindex("<input", 0, start) : html.index(">", start) + 1]


def test_the_access_request_records_consent_with_version_time_and_address(
    client, organisation
) -> None:
    response = client.post(
        "/access/",
        {**ACCESS_FORM, "tax_id": organisation.tax_id, "consent": "on"},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.access_request == AccessRequest.objects.get()
    assert consent.user is None
    assert consent.purpose == Consent.Purpose.ACCESS_REQUEST
    assert consent.version == CONSENT_VERSION
    assert consent.ip_address == "203.0.113.7"
    assert consent.created_at is not None


def test_an_access_request_without_consent_keeps_everything_typed(
    client, organisation
) -> None:
    form = {**ACCESS_FORM, "tax_id": organisation.tax_id}

    response = client.post("/access/", form)

    assert response.status_code == 200
    assert not AccessRequest.objects.exists()
    assert not Consent.objects.exists()
    assert list(response.context["form"].errors) == ["consent"]
    html = response.content.decode()
    for name in ("full_name", "position", "email", "licence_number", "tax_id"):
        assert f'value="{form[name]}"' in html, name
    assert 'href="#id_consent"' in html  # the error summary links to the box
    assert "checked" not in _consent_checkbox(html)


def test_the_consent_box_links_to_the_notice_which_is_public(client) -> None:
    html = client.get("/access/").content.decode()
    notice = client.get("/privacy/")

    assert 'href="/privacy/"' in html
    assert notice.status_code == 200
    assert f'data-version="{CONSENT_VERSION}"' in notice.content.decode()


@pytest.fixture
def invitation(organisation):
    return invite_contact(
        organisation, email="new@alfa.example", full_name="Новый Контакт"
    )


def test_sign_up_records_consent_for_the_new_account(client, invitation) -> None:
    client.get(f"/invitation/{invitation.token}/")

    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@alfa.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
        REMOTE_ADDR="198.51.100.9",
    )

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.user == User.objects.get(email="new@alfa.example")
    assert consent.purpose == Consent.Purpose.SIGN_UP
    assert consent.version == CONSENT_VERSION
    assert consent.ip_address == "198.51.100.9"


def test_sign_up_without_consent_keeps_the_address_and_passwords(
    client, invitation
) -> None:
    client.get(f"/invitation/{invitation.token}/")

    response = client.post(
        "/accounts/signup/",
        {"email": "new@alfa.example", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="new@alfa.example").exists()
    assert not Consent.objects.exists()
    assert list(response.context["form"].errors) == ["consent"]
    html = response.content.decode()
    assert 'value="new@alfa.example"' in html
    assert html.count(f'value="{PASSWORD}"') == 2
    assert 'href="/privacy/"' in html


def test_a_returning_contact_accepts_the_invitation_with_consent(
    client, customer, colleague, organisation
) -> None:
    remove_contact(colleague.membership, by=customer)
    invitation = invite_contact(
        organisation, email=colleague.email, full_name="x", invited_by=customer
    )
    url = f"/invitation/{invitation.token}/"

    opened = client.get(url)
    refused = client.post(url, {})
    colleague.refresh_from_db()
    assert opened.status_code == refused.status_code == 200
    assert not colleague.is_active
    assert list(refused.context["form"].errors) == ["consent"]

    accepted = client.post(url, {"consent": "on"})

    assert accepted.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_active
    assert colleague.membership.role == Membership.Role.MEMBER
    consent = Consent.objects.get(user=colleague)
    assert consent.purpose == Consent.Purpose.INVITATION
    assert consent.version == CONSENT_VERSION
