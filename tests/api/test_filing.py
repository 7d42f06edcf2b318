"""Filing and answering tickets through the API: the portal's services and
rules (the subscription gate, who may file for whom), and a retry with the
same Idempotency-Key changes nothing."""

from __future__ import annotations

import pytest

from api.models import IdempotentRequest
from tests.api.conftest import token_for
from tickets.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

TICKETS = "/api/v1/tickets/"


def _post(api, token: str, url: str, data: dict, **headers):
    return api.post(
        url, data, format="json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers
    )


NEW = {
    "licence": "alfa-0001-aaaa-0001",
    "subject": "Мониторинг: служба не отвечает",
    "description": "Проверка доступности не прошла трижды.",
    "category": "malfunction",
}


def test_an_organisations_token_files_for_its_user(
    api, customer, organisation, active_licence
) -> None:
    token = token_for(customer, "tickets:write", organisation=organisation)

    response = _post(api, token, TICKETS, NEW)

    assert response.status_code == 201
    ticket = Ticket.objects.get(reference=response.json()["reference"])
    assert ticket.contact == customer
    assert ticket.channel == Ticket.Channel.API
    assert ticket.licence == active_licence
    assert response["Location"].endswith(f"/api/v1/tickets/{ticket.reference}/")
    assert response.json()["messages"][0]["body"] == NEW["description"]


def test_a_staff_token_names_the_contact(api, agent, customer, active_licence):
    token = token_for(agent, "tickets:write")

    missing = _post(api, token, TICKETS, NEW)
    filed = _post(api, token, TICKETS, {**NEW, "contact": customer.email})

    assert missing.status_code == 400
    assert "contact" in missing.json()["errors"]
    assert filed.status_code == 201
    assert Ticket.objects.get().contact == customer


def test_support_ended_is_refused_in_words(api, customer, organisation, lapsed_licence):
    token = token_for(customer, "tickets:write", organisation=organisation)

    response = _post(
        api,
        token,
        TICKETS,
        {**NEW, "licence": lapsed_licence.number},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]
    assert not Ticket.objects.exists()


def test_another_organisations_licence_or_contact_is_refused(
    api, customer, organisation, other_organisation, active_licence
) -> None:
    from tests.factories import LicenceFactory, MembershipFactory

    theirs = LicenceFactory(organisation=other_organisation)
    stranger = MembershipFactory(organisation=other_organisation).user
    token = token_for(customer, "tickets:write", organisation=organisation)

    licence = _post(api, token, TICKETS, {**NEW, "licence": theirs.number})
    contact = _post(api, token, TICKETS, {**NEW, "contact": stranger.email})

    assert licence.status_code == 400
    assert "licence" in licence.json()["errors"]
    assert contact.status_code == 400
    assert not Ticket.objects.exists()


def test_a_read_only_token_cannot_file(api, customer, organisation, active_licence):
    token = token_for(customer, "tickets:read", organisation=organisation)

    assert _post(api, token, TICKETS, NEW).status_code == 403
    assert not Ticket.objects.exists()


def test_the_same_key_and_body_file_once(api, customer, organisation, active_licence):
    token = token_for(customer, "tickets:write", organisation=organisation)

    first = _post(api, token, TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post(api, token, TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="k-1")
    other_body = _post(
        api, token, TICKETS, {**NEW, "subject": "Другая"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    other_key = _post(api, token, TICKETS, NEW, HTTP_IDEMPOTENCY_KEY="k-2")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert other_body.status_code == 422
    assert other_key.status_code == 201
    assert Ticket.objects.count() == 2


def test_a_failed_request_keeps_no_key(api, customer, organisation, active_licence):
    token = token_for(customer, "tickets:write", organisation=organisation)

    refused = _post(
        api, token, TICKETS, {**NEW, "category": "nonsense"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert refused.status_code == 400
    replayed = _post(
        api, token, TICKETS, {**NEW, "category": "nonsense"}, HTTP_IDEMPOTENCY_KEY="k"
    )

    assert replayed.status_code == 400
    assert not IdempotentRequest.objects.exists()


def test_replies_and_notes(api, agent, customer, organisation, ticket) -> None:
    url = f"{TICKETS}{ticket.reference}/messages/"
    customers = token_for(customer, "tickets:write", organisation=organisation)
    staff = token_for(agent, "tickets:write")

    asked = _post(api, customers, url, {"body": "Есть новости?"})
    note = _post(api, staff, url, {"body": "Проверить журнал", "internal": True})
    customers_note = _post(api, customers, url, {"body": "x", "internal": True})
    replayed = [
        _post(api, staff, url, {"body": "Ответ"}, HTTP_IDEMPOTENCY_KEY="r")
        for _ in range(2)
    ]

    assert asked.status_code == 201
    assert asked.json()["kind"] == Message.Kind.CUSTOMER
    assert note.json()["kind"] == Message.Kind.INTERNAL_NOTE
    assert customers_note.status_code == 400
    assert replayed[0].json() == replayed[1].json()
    assert Message.objects.filter(ticket=ticket, body="Ответ").count() == 1
