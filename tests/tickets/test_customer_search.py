"""Customers search their own tickets: only what they may see."""

from __future__ import annotations

import pytest

from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = pytest.mark.django_db


def _file(contact, licence, subject: str) -> Ticket:
    return open_ticket(
        contact=contact,
        licence=licence,
        subject=subject,
        description="Подробности в журнале.",
        category=Ticket.Category.OTHER,
    )


@pytest.fixture
def tickets(customer, colleague, outsider, active_licence, other_organisation):
    from tests.factories import LicenceFactory

    theirs = LicenceFactory(organisation=other_organisation)
    return {
        "mine": _file(customer, active_licence, "Принтер не печатает отчёты"),
        "colleague": _file(colleague, active_licence, "Принтер зажевал бумагу"),
        "outsider": _file(outsider, theirs, "Принтер не видит сеть"),
        "other": _file(customer, active_licence, "Резервное копирование"),
    }


def _found(client, user, text: str, tickets: dict[str, Ticket]) -> set[str]:
    client.force_login(user)
    html = client.get("/tickets/", {"q": text}).content.decode()
    return {name for name, ticket in tickets.items() if ticket.reference in html}


def test_a_manager_finds_the_organisations_tickets_only(
    client, customer, tickets
) -> None:
    assert _found(client, customer, "принтер", tickets) == {"mine", "colleague"}


def test_a_member_finds_their_own_tickets_only(client, colleague, tickets) -> None:
    assert _found(client, colleague, "принтер", tickets) == {"colleague"}


def test_nothing_found_is_said(client, customer, tickets) -> None:
    client.force_login(customer)

    html = client.get("/tickets/", {"q": "квитанция"}, HTTP_ACCEPT_LANGUAGE="en").text

    assert "No ticket matches “квитанция”." in html
