"""Every page costs the same number of queries at any size of the data.

`make bench` measures the queries of each scenario on a million tickets; these
tests make the promise behind it: the count does not grow with the tickets in
the database, the messages of a ticket, the rows on a page or how deep the page is.
Inside a test's transaction nothing is cached (helpdesk.cache), so
these are the counts of a cold cache; the warm ones are in test_cached_lists.py
and test_conversation_cache.py.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in
from tests.requirements import require
from tests.tickets.conftest import upload
from tickets.models import Ticket
from tickets.services import add_message, change_ticket_status, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _queries(client, url: str, status: int = 200) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == status
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


def test_the_organisations_list_over_several_pages(
    client, customer, colleague, active_licence
) -> None:
    """The manager's list of the organisation's tickets: a full page and a
    later one cost what a page of one ticket does."""
    _file(colleague, active_licence, 0)
    client.force_login(customer)
    client.get("/tickets/")
    with_one = _queries(client, "/tickets/")

    for n in range(1, 60):
        _file(colleague if n % 2 else customer, active_licence, n)

    assert _queries(client, "/tickets/") == with_one
    second = client.get("/tickets/").context["next_url"]
    third = client.get(f"/tickets/{second}").context["next_url"]
    assert _queries(client, f"/tickets/{third}") == with_one


def test_a_ticket_page(client, customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence, 0)
    client.force_login(customer)
    url = f"/tickets/{ticket.reference}/"
    client.get(url)
    add_message(ticket, author=agent, body="first", attachments=[upload("a.txt")])
    client.get(url)  # marks the reply seen: the next views are plain reads
    with_two = _queries(client, url)

    for n in range(10):
        add_message(
            ticket,
            author=customer if n % 2 else agent,
            body=f"m{n}",
            attachments=[upload(f"{n}.txt")],
        )

    assert _queries(client, url) == with_two


def test_the_staff_ticket_page_with_2_or_20_messages(
    client, customer, agent, active_licence
) -> None:
    """The staff side adds the SLA timeline, notes, canned responses and the
    properties form: still the same count however long the conversation."""
    ticket = _file(customer, active_licence, 0)
    add_message(ticket, author=agent, body="**first**", attachments=[upload("a.txt")])
    sign_in(client, agent)
    url = f"/tickets/{ticket.reference}/"
    client.get(url)
    with_two = _queries(client, url)

    for n in range(18):
        add_message(
            ticket,
            author=customer if n % 2 else agent,
            body=f"m{n}",
            internal=n % 3 == 0,
            attachments=[upload(f"{n}.txt")],
        )
        if n % 5 == 0:
            change_ticket_status(ticket, to="waiting", by=agent)

    assert ticket.messages.count() == 20
    # The customer wrote last: the first look notes it for the queue's
    # "customer answered" marker (one UPDATE), later looks write nothing.
    assert _queries(client, url) == with_two + 1
    assert _queries(client, url) == with_two


def test_filing_a_ticket(client, customer, active_licence) -> None:
    client.force_login(customer)
    form = {
        "licence": active_licence.pk,
        "description": "d",
        "category": "other",
        "priority": "normal",
        "contact_email": customer.email,
    }

    def filing(subject: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/tickets/new/", {**form, "subject": subject})
        assert response.status_code == 302
        return len(captured)

    filing("warm-up")
    first = filing("first")
    for n in range(20):
        _file(customer, active_licence, n)

    assert filing("later") == first


def test_a_deep_queue_page_costs_what_page_one_does(
    client, agent, customer, active_licence
) -> None:
    for n in range(60):
        _file(customer, active_licence, n)
    sign_in(client, agent)
    queue = "/staff/queue/"
    client.get(queue)
    second_page = queue + client.get(queue).context["next_url"]
    third_page = queue + client.get(second_page).context["next_url"]

    with CaptureQueriesContext(connection) as page_one:
        client.get(queue)
    with CaptureQueriesContext(connection) as page_three:
        response = client.get(third_page)

    assert len(response.context["rows"]) == 10
    assert len(page_three) == len(page_one)


def test_the_support_hours_status_makes_no_query(client) -> None:
    client.get("/api/schedule/status")

    assert _queries(client, "/api/schedule/status") == 0


def test_a_search_costs_the_same_for_3_or_30_matches(
    client, customer, agent, active_licence
) -> None:
    from tickets.services import link_tickets

    sign_in(client, agent)
    tickets = [_file(customer, active_licence, n) for n in range(3)]
    url = "/staff/queue/?q=d"
    client.get(url)
    few = _queries(client, url)
    tickets += [_file(customer, active_licence, n) for n in range(3, 30)]
    for one, other in pairwise(tickets):
        link_tickets(one, other, by=agent)

    assert _queries(client, url) == few
    # And a ticket page with one link or with two costs the same.
    assert _queries(client, tickets[0].get_absolute_url()) == _queries(
        client, tickets[5].get_absolute_url()
    )


def test_the_staff_ticket_page_reads_its_choices_without_server_side_cursors(
    client, customer, colleague, agent, active_licence
) -> None:
    """Django reads a model choice list through `QuerySet.iterator()`: on
    PostgreSQL a server-side cursor, three round trips (DECLARE, FETCH, CLOSE)
    for each of the page's licence and colleague lists."""
    require(
        connection.vendor == "postgresql",
        "server-side cursors exist only in PostgreSQL; set DATABASE_URL to one",
    )
    ticket = _file(customer, active_licence, 0)
    sign_in(client, agent)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(ticket.get_absolute_url()).content.decode()

    assert active_licence.number in page
    assert colleague.email in page
    assert [q["sql"] for q in captured if "DECLARE" in q["sql"]] == []
