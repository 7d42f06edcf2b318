from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils.timezone import localdate

from accounts.models import AccessRequest, Invitation
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db

URL = "/access/"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page_without(response, email: str) -> str:
    return CSRF_TOKEN.sub("", response.content.decode()).replace(email, "")


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def _form(**overrides: str) -> dict[str, str]:
    return {
        "organisation_name": "ООО «Альфа»",
        "tax_id": "",
        "full_name": "Вера Новикова",
        "position": "Инженер",
        "email": "vera@alfa.example",
        "phone": "+7 912 345-67-89",
        "licence_number": "alfa-0001-aaaa-0001",
        "consent": "on",
        **overrides,
    }


def test_a_matching_tax_id_and_active_licence_bring_an_invitation(
    client, organisation, active_licence, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _form(tax_id=organisation.tax_id))

    assert response.status_code == 302
    access_request = AccessRequest.objects.get()
    assert access_request.status == AccessRequest.Status.INVITED
    assert access_request.organisation == organisation
    invitation = Invitation.objects.get()
    assert invitation.email == "vera@alfa.example"
    assert [m.to for m in mailoutbox] == [["vera@alfa.example"]]
    assert f"/invitation/{invitation.token}/" in mailoutbox[0].body


def test_an_approved_email_domain_vouches_instead_of_the_tax_id(
    client,
    organisation,
    active_licence,
    other_organisation,
    django_capture_on_commit_callbacks,
) -> None:
    organisation.email_domains = "alfa.example\n"
    organisation.save()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _form(tax_id=other_organisation.tax_id))

    assert AccessRequest.objects.get().status == AccessRequest.Status.INVITED


@pytest.mark.parametrize(
    "case", ["unknown licence", "other organisation", "lapsed subscription"]
)
def test_anything_else_waits_for_staff_and_the_page_says_the_same(
    case,
    client,
    organisation,
    other_organisation,
    active_licence,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    lapsed = LicenceFactory(
        organisation=organisation,
        number="ALFA-0009-AAAA-0009",
        purchased_on=localdate() - datetime.timedelta(days=800),
    )
    data = {
        "unknown licence": _form(
            tax_id=organisation.tax_id, licence_number="ZZZZ-9999-ZZZZ-9999"
        ),
        "other organisation": _form(tax_id=other_organisation.tax_id),
        "lapsed subscription": _form(
            tax_id=organisation.tax_id, licence_number=lapsed.number
        ),
    }[case]
    matching = client.post(URL, _form(tax_id=organisation.tax_id), follow=True)
    matching_text = _page_without(matching, "vera@alfa.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {**data, "email": "other@alfa.example"}, follow=True
        )

    assert _page_without(response, "other@alfa.example") == matching_text
    pending = AccessRequest.objects.get(email="other@alfa.example")
    assert pending.status == AccessRequest.Status.PENDING
    assert not Invitation.objects.filter(email="other@alfa.example").exists()
    assert "проверят" in mailoutbox[-1].body  # told that staff will check, in Russian


def test_someone_with_an_account_is_told_to_sign_in(
    client,
    customer,
    organisation,
    active_licence,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _form(tax_id=organisation.tax_id, email=customer.email))

    assert not Invitation.objects.exists()
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_bad_input_is_explained_and_nothing_typed_is_lost(client) -> None:
    response = client.post(URL, _form(tax_id="1234567890", licence_number="12345"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "ИНН состоит из 10 или 12 цифр" in text
    assert "Это не номер лицензии" in text
    assert 'value="Вера Новикова"' in text
    assert 'value="vera@alfa.example"' in text
    assert not AccessRequest.objects.exists()


def test_requests_are_rate_limited_per_address(client, organisation) -> None:
    for _ in range(5):
        assert client.post(URL, _form(tax_id=organisation.tax_id)).status_code == 302

    response = client.post(URL, _form(tax_id=organisation.tax_id, full_name="Шестой"))

    assert response.status_code == 200
    assert "Слишком много запросов" in response.content.decode()
    assert 'value="Шестой"' in response.content.decode()
    assert AccessRequest.objects.count() == 5


def test_the_form_is_public_and_says_support_excludes_training(client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    assert "не входит" in response.content.decode()


def test_behind_a_proxy_each_visitor_has_their_own_budget(
    client, organisation, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            URL, _form(tax_id=organisation.tax_id), HTTP_X_FORWARDED_FOR="203.0.113.7"
        )

    blocked = client.post(
        URL, _form(tax_id=organisation.tax_id), HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    other = client.post(
        URL, _form(tax_id=organisation.tax_id), HTTP_X_FORWARDED_FOR="198.51.100.9"
    )

    assert blocked.status_code == 200
    assert other.status_code == 302


def test_a_russian_phone_number_may_be_written_the_russian_way(
    client, organisation
) -> None:
    response = client.post(
        URL, _form(tax_id=organisation.tax_id, phone="8 (495) 000-00-01")
    )

    assert response.status_code == 302
    assert AccessRequest.objects.get().phone.as_e164 == "+74950000001"
