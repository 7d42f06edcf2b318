"""The customer's list and a ticket page cost the same number of queries at any size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.conftest import upload
from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _file(customer, licence, n: int) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject=f"T{n}",
        description="d",
        category="other",
    )


def test_the_ticket_list(client, customer, active_licence) -> None:
    _file(customer, active_licence, 0)
    client.force_login(customer)
    client.get("/tickets/")
    with_one = _queries(client, "/tickets/")

    for n in range(1, 15):
        _file(customer, active_licence, n)

    assert _queries(client, "/tickets/") == with_one


def test_a_ticket_page(client, customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence, 0)
    client.force_login(customer)
    url = f"/tickets/{ticket.reference}/"
    client.get(url)
    add_message(ticket, author=agent, body="first", attachments=[upload("a.txt")])
    with_two = _queries(client, url)

    for n in range(10):
        add_message(
            ticket,
            author=customer if n % 2 else agent,
            body=f"m{n}",
            attachments=[upload(f"{n}.txt")],
        )

    assert _queries(client, url) == with_two
