"""Consent to the processing of personal data: asked on the access request,
sign-up and invitation forms, recorded with the text's version and the time;
a form sent without the tick comes back with everything typed."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils import translation

from accounts.forms import ConsentField
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


# The box as a checkbox row on each of the three forms.

ROW = re.compile(
    r'<span class="checkbox-row">(<input [^>]*name="consent"[^>]*>)'
    r'<label for="id_consent">(.*?)</label></span>',
    re.DOTALL,
)


def _pages(client, customer, colleague, organisation) -> dict[str, str]:
    """Each form's page as first shown, and as sent back without the tick."""
    signup = invite_contact(organisation, email="new@alfa.example", full_name="x")
    remove_contact(colleague.membership, by=customer)
    returning = invite_contact(
        organisation, email=colleague.email, full_name="x", invited_by=customer
    )
    pages = {"access": client.get("/access/").text}
    pages["access-refused"] = client.post("/access/", ACCESS_FORM).text
    client.get(f"/invitation/{signup.token}/")
    pages["signup"] = client.get("/accounts/signup/?email=new@alfa.example").text
    pages["signup-refused"] = client.post(
        "/accounts/signup/",
        {"email": "new@alfa.example", "password1": PASSWORD, "password2": PASSWORD},
    ).text
    pages["returning"] = client.get(f"/invitation/{returning.token}/").text
    pages["returning-refused"] = client.post(f"/invitation/{returning.token}/").text
    return pages


def test_the_box_comes_first_with_its_label_and_the_link_in_it(
    client, customer, colleague, organisation
) -> None:
    for name, html in _pages(client, customer, colleague, organisation).items():
        [(box, label)] = ROW.findall(html)
        assert 'type="checkbox"' in box, name
        with translation.override("ru"):
            assert label == ConsentField().label_with_link(), name
        # Words first, then the link, in the label.
        assert label.index('<a href="/privacy/" target="_blank"') > 0, name
        # Nothing else labels the box: no label above it.
        assert html.count('for="id_consent"') == 1, name
        if name.endswith("-refused"):
            # The error just above the row, and the box says it points there.
            error = html.index('id="id_consent_error"')
            assert error < html.index('class="checkbox-row"') < error + 400, name
            assert 'aria-describedby="id_consent_error"' in box, name
            assert 'aria-invalid="true"' in box, name


def test_on_the_sign_up_form_the_box_comes_last(client, invitation) -> None:
    client.get(f"/invitation/{invitation.token}/")

    html = client.get("/accounts/signup/?email=new@alfa.example").text

    names = re.findall(r'<input [^>]*name="(\w+)"', html)
    assert names[-1] == "consent"
    assert names.index("password2") < names.index("consent")
