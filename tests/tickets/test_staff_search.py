from __future__ import annotations

import pytest

from tests.auth import sign_in
from tests.factories import LicenceFactory, MembershipFactory, OrganisationFactory
from tests.on_sqlite import run_on_sqlite
from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = pytest.mark.django_db


TAX_ID = "7701234560"


def make_tickets() -> tuple[Ticket, Ticket]:
    """Two tickets of one organisation (tax id `TAX_ID`): the customer's and
    a colleague's. Also run on SQLite, in `test_sqlite_finds_the_same`."""
    organisation = OrganisationFactory(name="ООО «Альфа»", tax_id=TAX_ID)
    licence = LicenceFactory(organisation=organisation, number="ALFA-0001-AAAA-0001")
    customer, colleague = (
        MembershipFactory(
            organisation=organisation, user__email=email, user__full_name=name
        ).user
        for email, name in (
            ("customer@alfa.example", "Анна Смирнова"),
            ("colleague@alfa.example", "Пётр Козлов"),
        )
    )
    first = open_ticket(
        contact=customer,
        licence=licence,
        subject="Не печатаются отчёты",
        description="Принтер HP",
        category=Ticket.Category.MALFUNCTION,
        contact_phone="+7 912 345-67-89",
    )
    second = open_ticket(
        contact=colleague,
        licence=licence,
        subject="Backup settings",
        description="nightly copy",
        category=Ticket.Category.CONFIGURATION,
    )
    add_message(second, author=colleague, body="The share is \\\\nas\\backups")
    return first, second


@pytest.fixture
def tickets():
    return make_tickets()


CASES = [
    ("отчёты", [0]),
    ("nas", [1]),
    ("Принтер hp", [0]),
    ("8 (912) 345-67-89", [0]),
    ("ALFA-0001", [0, 1]),
    ("colleague@alfa.example", [1]),
    # Part of an address.
    ("customer", [0]),
    ("alfa.example", [0, 1]),
    ("@alfa", [0, 1]),
    # A tax id is ten digits, as a phone number may be.
    (TAX_ID, [0, 1]),
    ("Альфа", [0, 1]),
    ("Альфа отчёты", [0]),
    ("Козлов backup", [1]),
    ("нет такого", []),
    # Case does not matter, in Cyrillic too (SQLite folds Latin only).
    ("ПРИНТЕР", [0]),
    ("альфа", [0, 1]),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_search_finds_by_any_field(tickets, query, expected) -> None:
    found = set(Ticket.objects.search(query))

    assert found == {tickets[n] for n in expected}


def test_sqlite_finds_the_same(tmp_path) -> None:
    """`make run` searches on SQLite by substring: the same queries find the
    same tickets there (in a child process with a migrated SQLite file)."""
    script = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.tickets.test_staff_search import CASES, make_tickets
from tickets.models import Ticket
tickets = make_tickets()
print(json.dumps([
    sorted(tickets.index(t) for t in Ticket.objects.search(query))
    for query, _ in CASES
]))
"""
    found = run_on_sqlite(script, tmp_path)
    assert dict(zip([query for query, _ in CASES], found, strict=True)) == {
        query: expected for query, expected in CASES
    }


def test_a_reference_finds_exactly_one(tickets) -> None:
    assert list(Ticket.objects.search(tickets[1].reference.lower())) == [tickets[1]]


def test_the_queue_has_a_search_box(client, agent, tickets) -> None:
    sign_in(client, agent)

    text = client.get("/staff/queue/", {"q": "nas"}).content.decode()

    assert tickets[1].reference in text
    assert tickets[0].reference not in text


def test_phone_numbers_are_kept_in_one_form(tickets) -> None:
    assert tickets[0].contact_phone == "+79123456789"
