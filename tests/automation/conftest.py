from __future__ import annotations

import datetime

import pytest

from automation.services import create_rule
from tests.tickets.conftest import shipped_calendar  # noqa: F401 (a fixture)
from tickets.models import SupportGroup, Ticket
from tickets.services import open_ticket

MSK = datetime.timezone(datetime.timedelta(hours=3))


def at(*parts: int) -> datetime.datetime:
    """A moment in Moscow time."""
    return datetime.datetime(*parts, tzinfo=MSK)


# A rule with its conditions and actions, as the demo and the bench make them.
rule = create_rule


def file(customer, licence, subject: str = "Вопрос", **fields) -> Ticket:
    fields.setdefault("category", Ticket.Category.CONFIGURATION)
    return open_ticket(
        contact=customer,
        licence=licence,
        subject=subject,
        description=fields.pop("description", "Текст"),
        **fields,
    )


@pytest.fixture
def group(agent) -> SupportGroup:
    made = SupportGroup.objects.create(name="Первая линия")
    made.members.add(agent)
    return made
