"""Tickets through the API: the same visibility as the portal, internal
notes never in a customer's token's answers, a keyset cursor."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_for
from tests.tickets.conftest import upload
from tickets.models import Ticket
from tickets.services import add_message, open_ticket, send_staff_message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

TICKETS = "/api/v1/tickets/"


def _get(api, token: str, url: str, **params):
    return api.get(url, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_customers_token_sees_its_organisations_tickets_only(
    api, customer, organisation, ticket, other_organisation
) -> None:
    from tests.factories import LicenceFactory, MembershipFactory

    stranger = MembershipFactory(organisation=other_organisation).user
    theirs = open_ticket(
        contact=stranger,
        licence=LicenceFactory(organisation=other_organisation),
        subject="Чужая заявка",
        description="…",
        category=Ticket.Category.OTHER,
    )
    token = token_for(customer, "tickets:read", organisation=organisation)

    listed = _get(api, token, TICKETS).json()["results"]
    other = _get(api, token, f"{TICKETS}{theirs.reference}/")

    assert [row["reference"] for row in listed] == [ticket.reference]
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"


def test_internal_notes_reach_staff_tokens_only(
    api, agent, customer, organisation, ticket
) -> None:
    send_staff_message(ticket, by=agent, body="Только для своих", internal=True)
    send_staff_message(ticket, by=agent, body="Ответ клиенту")
    url = f"{TICKETS}{ticket.reference}/"

    staff = _get(api, token_for(agent, "tickets:read"), url).json()
    customers = _get(
        api, token_for(customer, "tickets:read", organisation=organisation), url
    ).json()

    assert "Только для своих" in [m["body"] for m in staff["messages"]]
    assert "Только для своих" not in [m["body"] for m in customers["messages"]]
    assert "Ответ клиенту" in [m["body"] for m in customers["messages"]]
    assert "internal_note" not in [m["kind"] for m in customers["messages"]]


def test_an_attachment_is_downloaded_with_the_token(
    api, customer, organisation, ticket
):
    token = token_for(customer, "tickets:read", organisation=organisation)
    detail = _get(api, token, f"{TICKETS}{ticket.reference}/").json()
    [attachment] = detail["messages"][0]["attachments"]

    response = api.get(attachment["url"], HTTP_AUTHORIZATION=f"Bearer {token}")
    anonymous = api.get(attachment["url"])

    assert attachment["name"] == "server.log"
    assert b"".join(response.streaming_content) == b"ERROR 42\n"
    assert anonymous.status_code == 401


def test_the_list_pages_by_cursor_and_filters(api, agent, customer, active_licence):
    tickets = [
        open_ticket(
            contact=customer,
            licence=active_licence,
            subject=f"Заявка {n}",
            description="…",
            category=Ticket.Category.OTHER,
            priority=Ticket.Priority.HIGH if n % 2 else Ticket.Priority.NORMAL,
        )
        for n in range(55)
    ]
    add_message(
        tickets[0], author=customer, body="Ещё вопрос", attachments=[upload("a.txt")]
    )
    token = token_for(agent, "tickets:read")

    first = _get(api, token, TICKETS).json()
    second = _get(api, token, TICKETS, after=first["next"]).json()
    high = _get(api, token, TICKETS, priority="high").json()
    wrong = _get(api, token, TICKETS, priority="urgent")

    seen = [row["reference"] for row in first["results"] + second["results"]]
    assert seen[0] == tickets[0].reference  # its activity is the latest
    assert sorted(seen) == sorted(t.reference for t in tickets)
    assert second["next"] is None
    assert {row["priority"] for row in high["results"]} == {"high"}
    assert wrong.status_code == 400
    assert "priority" in wrong.json()["errors"]


def test_the_schema_is_served_and_valid(api) -> None:
    from openapi_spec_validator import validate

    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/v1/tickets/" in schema["paths"]
    assert "/api/schedule/status" in schema["paths"]


def test_the_list_writes_what_the_summary_serializer_would(
    api, agent, customer, active_licence, ticket
) -> None:
    from api.serializers import TicketSummarySerializer

    unplanned = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Без срока",
        description="…",
        category=Ticket.Category.OTHER,
    )
    Ticket.objects.filter(pk=unplanned.pk).update(sla_due_at=None)
    token = token_for(agent, "tickets:read")

    listed = _get(api, token, TICKETS).json()["results"]

    expected = TicketSummarySerializer(
        Ticket.objects.latest_activity_first(), many=True
    ).data
    assert listed == [dict(row) for row in expected]
    assert {row["sla_due_at"] is None for row in listed} == {True, False}
