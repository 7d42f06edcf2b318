"""Organisations and contacts pushed by the CRM: upsert by tax id or external
id, contacts by address, deactivation kept in the account's record, staff
accounts out of reach."""

from __future__ import annotations

import pytest

from accounts.models import AccountEvent, Membership, Organisation, User
from tests.api.conftest import token_for
from tests.factories import _tax_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm(admin_user) -> str:
    return token_for(admin_user, "organisations:write", "contacts:write")


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_an_organisation_is_upserted_by_tax_id(api, crm) -> None:
    url = f"/api/v1/organisations/{_tax_id(555)}/"

    created = api.put(
        url,
        {"name": "ООО «Вектор»", "email_domains": ["vector.example"]},
        format="json",
        **_auth(crm),
    )
    renamed = api.put(url, {"name": "ООО «Вектор плюс»"}, format="json", **_auth(crm))

    assert created.status_code == 201, created.json()
    assert created.json()["email_domains"] == ["vector.example"]
    assert renamed.status_code == 200
    organisation = Organisation.objects.get(tax_id=_tax_id(555))
    assert organisation.name == "ООО «Вектор плюс»"
    # Left out, kept.
    assert organisation.approves_email("anna@vector.example")


def test_an_organisation_is_upserted_by_external_id_and_may_change_tax_id(
    api, crm
) -> None:
    url = "/api/v1/organisations/external/crm-42/"

    without_tax_id = api.put(url, {"name": "АО «Гамма»"}, format="json", **_auth(crm))
    created = api.put(
        url, {"name": "АО «Гамма»", "tax_id": _tax_id(556)}, format="json", **_auth(crm)
    )
    moved = api.put(url, {"tax_id": _tax_id(557)}, format="json", **_auth(crm))
    read = api.get(url, **_auth(crm))

    assert without_tax_id.status_code == 400
    assert "tax_id" in without_tax_id.json()["errors"]
    assert created.status_code == 201
    assert moved.status_code == 200
    assert read.json()["tax_id"] == _tax_id(557)
    assert Organisation.objects.filter(external_id="crm-42").count() == 1


def test_an_invalid_tax_id_or_a_taken_one_is_a_field_error(
    api, crm, organisation
) -> None:
    invalid = api.put(
        "/api/v1/organisations/1234567890/", {"name": "X"}, format="json", **_auth(crm)
    )
    api.put(
        "/api/v1/organisations/external/crm-1/",
        {"name": "Y", "tax_id": _tax_id(558)},
        format="json",
        **_auth(crm),
    )
    taken = api.put(
        "/api/v1/organisations/external/crm-1/",
        {"tax_id": organisation.tax_id},
        format="json",
        **_auth(crm),
    )

    assert invalid.status_code == 400
    assert "tax_id" in invalid.json()["errors"]
    assert taken.status_code == 400
    assert "tax_id" in taken.json()["errors"]
    assert Organisation.objects.get(external_id="crm-1").tax_id == _tax_id(558)


def test_a_contact_is_created_without_a_password_then_changed(
    api, crm, organisation
) -> None:
    url = "/api/v1/contacts/Ivan@Alfa.example/"
    body = {
        "full_name": "Иван Петров",
        "organisation_tax_id": organisation.tax_id,
        "position": "Администратор",
        "phone": "+7 495 123-45-67",
    }

    created = api.put(url, body, format="json", **_auth(crm))
    promoted = api.put(url, {**body, "role": "manager"}, format="json", **_auth(crm))

    assert created.status_code == 201, created.json()
    assert created.json()["email"] == "ivan@alfa.example"
    assert promoted.status_code == 200
    contact = User.objects.get(email="ivan@alfa.example")
    assert not contact.has_usable_password()
    assert contact.phone.as_e164 == "+74951234567"
    assert promoted.json()["phone"] == str(contact.phone)
    assert contact.membership.role == Membership.Role.MANAGER


def test_a_contact_is_deactivated_with_the_token_on_record(
    api, crm, customer, colleague, organisation
) -> None:
    answer = api.delete(f"/api/v1/contacts/{colleague.email}/", **_auth(crm))
    again = api.put(
        f"/api/v1/contacts/{colleague.email}/",
        {
            "full_name": colleague.full_name,
            "organisation_tax_id": organisation.tax_id,
            "is_active": True,
        },
        format="json",
        **_auth(crm),
    )

    assert answer.status_code == 204
    assert again.status_code == 200
    assert again.json()["is_active"] is True
    events = list(AccountEvent.objects.filter(user=colleague).order_by("pk"))
    assert [e.kind for e in events] == ["deactivated", "reactivated"]
    assert all(e.via.startswith("Биллинг, hdk_") for e in events)


def test_a_contact_of_another_organisation_or_a_staff_account_is_refused(
    api, crm, customer, other_organisation, agent
) -> None:
    moved = api.put(
        f"/api/v1/contacts/{customer.email}/",
        {"full_name": "X", "organisation_tax_id": other_organisation.tax_id},
        format="json",
        **_auth(crm),
    )
    staff = api.put(
        f"/api/v1/contacts/{agent.email}/",
        {"full_name": "X", "organisation_tax_id": other_organisation.tax_id},
        format="json",
        **_auth(crm),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    read_staff = api.get(f"/api/v1/contacts/{agent.email}/", **_auth(crm))

    assert moved.status_code == 422
    assert staff.status_code == 422
    assert "staff account" in staff.json()["detail"]
    assert read_staff.status_code == 404
    agent.refresh_from_db()
    assert agent.full_name != "X"
    assert customer.membership.organisation != other_organisation


def test_scopes_are_checked(api, agent, organisation) -> None:
    tickets_only = token_for(agent, "tickets:read")

    answer = api.put(
        f"/api/v1/organisations/{organisation.tax_id}/",
        {"name": "Захват"},
        format="json",
        **_auth(tickets_only),
    )

    assert answer.status_code == 403
    organisation.refresh_from_db()
    assert organisation.name != "Захват"
