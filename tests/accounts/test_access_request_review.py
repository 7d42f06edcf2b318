from __future__ import annotations

import pytest

from accounts.models import AccessRequest, Invitation, Organisation
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(organisation) -> AccessRequest:
    return AccessRequest.objects.create(
        organisation_name="ООО «Новая»",
        tax_id="7707083893",
        full_name="Семён Новый",
        position="Инженер",
        email="semen@new.example",
        phone="+79123456789",
        licence_number="NEWW-0001-AAAA-0001",
    )


def _url(access_request: AccessRequest) -> str:
    return f"/staff/access-requests/{access_request.code}/"


def test_staff_see_the_queue_of_pending_requests(client, agent, pending) -> None:
    sign_in(client, agent)

    response = client.get("/staff/access-requests/")

    assert response.status_code == 200
    assert "Семён Новый" in response.content.decode()


def test_approving_creates_the_organisation_and_invites(
    client, agent, pending, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(pending), {"approve": "1", "organisation": ""})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.APPROVED
    assert pending.decided_by == agent
    assert pending.organisation == Organisation.objects.get(tax_id="7707083893")
    assert Invitation.objects.get().email == "semen@new.example"
    assert mailoutbox[0].to == ["semen@new.example"]


def test_approving_can_link_an_existing_organisation(
    client, agent, pending, organisation
) -> None:
    sign_in(client, agent)

    client.post(_url(pending), {"approve": "1", "organisation": organisation.pk})

    assert Invitation.objects.get().organisation == organisation


def test_declining_tells_the_requester_why(
    client, agent, pending, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    sign_in(client, agent)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url(pending),
            {"decline": "1", "reason": "Лицензия принадлежит другой организации."},
        )

    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.DECLINED
    assert "Лицензия принадлежит другой организации." in mailoutbox[0].body
    assert not Invitation.objects.exists()


def test_a_decided_request_cannot_be_decided_again(client, agent, pending) -> None:
    sign_in(client, agent)
    client.post(_url(pending), {"decline": "1", "reason": "Нет"})

    response = client.post(
        _url(pending), {"approve": "1", "organisation": ""}, follow=True
    )

    assert "уже рассмотрен" in response.content.decode()
    assert not Invitation.objects.exists()


def test_customers_get_403_and_visitors_are_sent_to_sign_in(
    client, customer, pending
) -> None:
    assert client.get(_url(pending)).status_code == 302
    client.force_login(customer)

    assert client.get(_url(pending)).status_code == 403
    assert client.get("/staff/access-requests/").status_code == 403


def _text(response) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_review_says_what_the_typed_licence_is(
    client, agent, pending, organisation, active_licence
) -> None:
    sign_in(client, agent)

    unknown = _text(client.get(_url(pending), HTTP_ACCEPT_LANGUAGE="en"))
    pending.licence_number = active_licence.number.lower()
    pending.save()
    other_tax_id = _text(client.get(_url(pending), HTTP_ACCEPT_LANGUAGE="en"))
    pending.tax_id = organisation.tax_id
    pending.save()
    matching = _text(client.get(_url(pending), HTTP_ACCEPT_LANGUAGE="en"))

    assert "No licence has this number." in unknown
    assert (
        f"Licence {active_licence.number} (Helpdesk Server) belongs to "
        f"{organisation.name}, tax id {organisation.tax_id}." in other_tax_id
    )
    assert "The tax id typed is not that organisation's." in other_tax_id
    assert "The tax id typed is that organisation's." in matching
    assert (
        f"Support is active until {active_licence.support_ends_on:%d.%m.%Y}."
        in matching
    )


def test_a_lapsed_licence_is_said_so(client, agent, pending, lapsed_licence) -> None:
    pending.licence_number = lapsed_licence.number
    pending.save()
    sign_in(client, agent)

    text = _text(client.get(_url(pending), HTTP_ACCEPT_LANGUAGE="ru"))

    assert f"Поддержка закончилась {lapsed_licence.support_ends_on:%d.%m.%Y}." in text


def test_repeated_requests_from_one_address_are_one_line(
    client, agent, pending
) -> None:
    for n in range(2):
        AccessRequest.objects.create(
            organisation_name=f"ООО «Новая» {n}",
            tax_id="7707083893",
            full_name="Семён Новый",
            position="Инженер",
            email="SEMEN@new.example",
            phone="+79123456789",
            licence_number="NEWW-0001-AAAA-0001",
        )
    sign_in(client, agent)

    listed = client.get("/staff/access-requests/", HTTP_ACCEPT_LANGUAGE="en")
    detail = _text(client.get(_url(pending), HTTP_ACCEPT_LANGUAGE="en"))

    assert listed.content.decode().count("Семён Новый") == 1
    assert "and 2 earlier requests from this address" in _text(listed)
    assert "Other requests from this address" in detail
    assert detail.count("ООО «Новая» ") >= 2


def test_decline_looks_different_from_approve(client, agent, pending) -> None:
    sign_in(client, agent)

    html = client.get(_url(pending)).content.decode()

    assert 'name="decline" value="1" class="danger"' in html
    assert 'name="approve" value="1">' in html
