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
