from __future__ import annotations

import pytest

from tests.auth import sign_in
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def test_staff_change_priority_assignee_and_licence_with_history(
    client, agent, ticket, organisation
) -> None:
    other_licence = LicenceFactory(
        organisation=organisation, number="ALFA-0003-AAAA-0003"
    )
    sign_in(client, agent)

    client.post(
        f"/tickets/{ticket.reference}/properties/",
        {
            "priority": "critical",
            "category": ticket.category,
            "assignee": agent.pk,
            "licence": other_licence.pk,
        },
    )

    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.licence) == (
        "critical",
        agent,
        other_licence,
    )
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {"priority", "assignee", "licence"} <= kinds
    page = client.get(f"/tickets/{ticket.reference}/").content.decode()
    assert "Изменён приоритет" in page


def test_a_licence_of_another_organisation_is_refused(
    client, agent, ticket, other_organisation
) -> None:
    foreign = LicenceFactory(organisation=other_organisation)
    sign_in(client, agent)

    client.post(
        f"/tickets/{ticket.reference}/properties/",
        {
            "priority": ticket.priority,
            "category": ticket.category,
            "assignee": "",
            "licence": foreign.pk,
        },
    )

    ticket.refresh_from_db()
    assert ticket.licence != foreign


def test_customers_may_not(client, customer, ticket) -> None:
    client.force_login(customer)

    response = client.post(
        f"/tickets/{ticket.reference}/properties/",
        {
            "priority": "critical",
            "category": ticket.category,
            "licence": ticket.licence_id,
        },
    )

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.priority == "high"
