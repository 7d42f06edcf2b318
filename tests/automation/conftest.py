from __future__ import annotations

import datetime

import pytest

from automation.models import Action, Condition, Rule
from tests.tickets.conftest import shipped_calendar  # noqa: F401 (a fixture)
from tickets.models import SupportGroup, Ticket
from tickets.services import open_ticket

MSK = datetime.timezone(datetime.timedelta(hours=3))


def at(*parts: int) -> datetime.datetime:
    """A moment in Moscow time."""
    return datetime.datetime(*parts, tzinfo=MSK)


def rule(kind: str, name: str, *, conditions=(), actions=(), **fields) -> Rule:
    """A rule with its conditions and actions, as the admin saves them."""
    made = Rule.objects.create(kind=kind, name=name, **fields)
    for condition in conditions:
        Condition.objects.create(rule=made, **condition)
    for action in actions:
        references = any(action.get(name) for name in ("group", "user", "endpoint"))
        Action.objects.create(rule=made, needs_reference=references, **action)
    return made


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
