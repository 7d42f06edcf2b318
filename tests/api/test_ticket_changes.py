"""Changing a ticket through the API: what each kind of token may change,
`If-Match` against lost updates, and the history naming the token."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_for
from tickets.models import Ticket, TicketEvent
from tickets.services import change_ticket_status, send_staff_message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _url(ticket: Ticket) -> str:
    return f"/api/v1/tickets/{ticket.reference}/"


def test_a_staff_token_sets_status_priority_and_assignee(
    api, agent, supervisor, ticket
) -> None:
    token = token_for(agent, "tickets:read", "tickets:write")

    answer = api.patch(
        _url(ticket),
        {"status": "waiting", "priority": "low", "assignee": supervisor.email},
        format="json",
        **_auth(token),
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "waiting"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == (
        "waiting",
        "low",
        supervisor,
    )
    events = TicketEvent.objects.filter(ticket=ticket).exclude(kind="created")
    assert {e.kind for e in events} == {"status", "priority", "assignee"}
    assert all(e.actor == agent and e.via.startswith("Биллинг, hdk_") for e in events)


def test_the_history_page_says_which_token(client, api, agent, ticket) -> None:
    from tests.auth import sign_in

    token = token_for(agent, "tickets:read", "tickets:write")
    api.patch(_url(ticket), {"status": "open"}, format="json", **_auth(token))
    sign_in(client, agent)

    page = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert f"Through the API: Биллинг, {token[:14]}_…" in page.content.decode()


def test_a_customers_token_may_only_close(
    api, customer, organisation, agent, ticket
) -> None:
    send_staff_message(ticket, by=agent, body="Перезапустите службу.")
    token = token_for(
        customer, "tickets:read", "tickets:write", organisation=organisation
    )

    priority = api.patch(
        _url(ticket), {"priority": "low"}, format="json", **_auth(token)
    )
    reopen = api.patch(_url(ticket), {"status": "open"}, format="json", **_auth(token))
    close = api.patch(_url(ticket), {"status": "closed"}, format="json", **_auth(token))

    assert priority.status_code == 403
    assert reopen.status_code == 403
    assert close.status_code == 200
    assert close.json()["status"] == "closed"


def test_a_move_the_workflow_forbids_is_unprocessable(api, agent, ticket) -> None:
    token = token_for(agent, "tickets:read", "tickets:write")
    change_ticket_status(ticket, to=Ticket.Status.CLOSED, by=agent)

    answer = api.patch(
        _url(ticket),
        {"status": "waiting"},
        format="json",
        **_auth(token),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 422
    assert "cannot become" in answer.json()["detail"]


def test_if_match_refuses_a_ticket_changed_since_it_was_read(
    api, agent, customer, ticket
) -> None:
    from tickets.services import add_message

    token = token_for(agent, "tickets:read", "tickets:write")
    read = api.get(_url(ticket), **_auth(token))
    add_message(ticket, author=customer, body="Ещё одна деталь.")

    stale = api.patch(
        _url(ticket),
        {"status": "resolved"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
        **_auth(token),
    )
    current = api.get(_url(ticket), **_auth(token))
    fresh = api.patch(
        _url(ticket),
        {"status": "resolved"},
        format="json",
        HTTP_IF_MATCH=current["ETag"],
        **_auth(token),
    )

    assert stale.status_code == 412
    assert fresh.status_code == 200
    assert fresh["ETag"] != current["ETag"]


def test_unknown_assignee_is_a_field_error(api, agent, customer, ticket) -> None:
    token = token_for(agent, "tickets:read", "tickets:write")

    answer = api.patch(
        _url(ticket), {"assignee": customer.email}, format="json", **_auth(token)
    )

    assert answer.status_code == 400
    assert "assignee" in answer.json()["errors"]
    ticket.refresh_from_db()
    assert ticket.assignee is None
