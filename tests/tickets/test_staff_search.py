from __future__ import annotations

import pytest

from tests.auth import sign_in
from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(customer, colleague, active_licence):
    first = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Не печатаются отчёты",
        description="Принтер HP",
        category=Ticket.Category.MALFUNCTION,
        contact_phone="+7 912 345-67-89",
    )
    second = open_ticket(
        contact=colleague,
        licence=active_licence,
        subject="Backup settings",
        description="nightly copy",
        category=Ticket.Category.CONFIGURATION,
    )
    add_message(second, author=colleague, body="The share is \\\\nas\\backups")
    return first, second


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("отчёты", [0]),
        ("nas", [1]),
        ("Принтер hp", [0]),
        ("8 (912) 345-67-89", [0]),
        ("ALFA-0001", [0, 1]),
        ("colleague@alfa.example", [1]),
        ("Альфа", [0, 1]),
        ("нет такого", []),
        # Case does not matter, in Cyrillic too (SQLite folds Latin only).
        ("ПРИНТЕР", [0]),
        ("альфа", [0, 1]),
    ],
)
def test_search_finds_by_any_field(tickets, query, expected) -> None:
    found = set(Ticket.objects.search(query))

    assert found == {tickets[n] for n in expected}


def test_a_reference_finds_exactly_one(tickets) -> None:
    assert list(Ticket.objects.search(tickets[1].reference.lower())) == [tickets[1]]


def test_the_queue_has_a_search_box(client, agent, tickets) -> None:
    sign_in(client, agent)

    text = client.get("/staff/queue/", {"q": "nas"}).content.decode()

    assert tickets[1].reference in text
    assert tickets[0].reference not in text


def test_phone_numbers_are_kept_in_one_form(tickets) -> None:
    assert tickets[0].contact_phone == "+79123456789"
