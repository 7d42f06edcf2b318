"""The staff ticket page's requester context reads five rows of an index for
each list (the organisation's open tickets, the contact's latest), not every
ticket of a big organisation or contact to sort them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in
from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _plan(sql: str) -> str:
    # Too few rows for the planner to prefer an index on its own: without
    # sequential scans and sorts, can an index serve the filter and the order?
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_each_requester_list_reads_its_index(
    client, agent, customer, active_licence
) -> None:
    tickets = [
        open_ticket(
            contact=customer,
            licence=active_licence,
            subject=f"Вопрос {n}",
            description="d",
            category=Ticket.Category.OTHER,
        )
        for n in range(3)
    ]
    sign_in(client, agent)

    with CaptureQueriesContext(connection) as captured:
        client.get(tickets[0].get_absolute_url())

    requester = [
        query["sql"]
        for query in captured.captured_queries
        if "last_activity_at" in query["sql"].split("ORDER BY")[-1]
        and "LIMIT 5" in query["sql"]
    ]
    assert len(requester) == 2
    plans = [_plan(sql) for sql in requester]
    # Either of the organisation's activity indexes serves the order; which
    # one the planner takes depends on the statistics of earlier tests.
    assert "ticket_org_open_activity" in plans[0] or "ticket_org_activity" in plans[0]
    assert "ticket_contact_activity" in plans[1]
    assert all("Sort" not in plan for plan in plans)
