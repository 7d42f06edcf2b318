from __future__ import annotations

import pytest

from accounts.models import StaffRole, User
from tests.conftest import _staff
from tickets.models import SupportGroup, Ticket
from tickets.services import open_ticket


@pytest.fixture
def ivan() -> User:
    """An agent of the group, named in mentions."""
    person = _staff("ivan.petrov@support.example", StaffRole.AGENT)
    person.full_name = "Иван Петров"
    person.save(update_fields=["full_name"])
    return person


@pytest.fixture
def maria() -> User:
    person = _staff("maria@support.example", StaffRole.AGENT)
    person.full_name = "Мария Соколова"
    person.save(update_fields=["full_name"])
    return person


@pytest.fixture
def group(ivan, maria) -> SupportGroup:
    made = SupportGroup.objects.create(name="Первая линия")
    made.members.add(ivan, maria)
    return made


def file(customer, licence, **fields) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject=fields.pop("subject", "Не запускается служба"),
        description=fields.pop("description", "После обновления служба не стартует."),
        category=Ticket.Category.MALFUNCTION,
        **fields,
    )


@pytest.fixture
def ticket(customer, active_licence) -> Ticket:
    return file(customer, active_licence)
