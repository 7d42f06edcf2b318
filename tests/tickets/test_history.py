"""The ticket's history speaks the reader's language: the names of statuses,
priorities, categories, people and licences, never the codes stored."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps

from tests.factories import LicenceFactory
from tickets.models import Ticket, TicketEvent
from tickets.services import change_ticket_status, update_ticket

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tickets.migrations.0018_event_values_as_ids")


def _history(client, ticket, language: str) -> str:
    html = client.get(
        ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def changed(ticket, agent, supervisor, organisation):
    update_ticket(
        ticket,
        by=agent,
        priority=Ticket.Priority.CRITICAL,
        category=Ticket.Category.CONFIGURATION,
        assignee=agent,
    )
    update_ticket(ticket, by=agent, assignee=supervisor)
    other = LicenceFactory(organisation=organisation, number="ALFA-0009-AAAA-0009")
    update_ticket(ticket, by=agent, licence=other)
    change_ticket_status(ticket, to=Ticket.Status.WAITING, by=agent)
    return ticket


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            [
                "Изменён приоритет, «Высокий» → «Критический»",
                "Изменена категория, «Неисправность» → «Настройка продукта»",
            ],
        ),
        (
            "en",
            [
                "Priority changed, “High” → “Critical”",
                "Category changed, “Malfunction” → “Product configuration”",
            ],
        ),
    ],
)
def test_choices_show_by_their_names(staff_client, changed, language, expected) -> None:
    text = _history(staff_client, changed, language)

    for line in expected:
        assert line in text
    for code in ("high", "critical", "malfunction", "configuration", "waiting"):
        assert f"“{code}”" not in text
        assert f"«{code}»" not in text


def test_people_and_licences_show_by_name(
    staff_client, changed, agent, supervisor, active_licence
) -> None:
    text = _history(staff_client, changed, "en")

    assert f"Assignee changed, “—” → “{agent.get_full_name()}”" in text
    assert (
        f"Assignee changed, “{agent.get_full_name()}” → “{supervisor.get_full_name()}”"
        in text
    )
    assert (
        f"Licence changed, “{active_licence}” → “ALFA-0009-AAAA-0009 (Helpdesk Server)”"
        in text
    )
    # Stored by id, so a person's new name shows in old events too.
    assert set(
        TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNEE).values_list(
            "new_value", flat=True
        )
    ) == {str(agent.pk), str(supervisor.pk)}


def test_events_recorded_before_show_names_too(
    staff_client, ticket, agent, supervisor, active_licence
) -> None:
    # As the services stored them before: what str() gave.
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket=ticket,
                actor=agent,
                kind=TicketEvent.Kind.ASSIGNEE,
                old_value=str(agent),
                new_value=str(supervisor),
            ),
            TicketEvent(
                ticket=ticket,
                actor=agent,
                kind=TicketEvent.Kind.LICENCE,
                old_value=str(active_licence),
                new_value="GONE-0000-0000-0000 (Old product)",
            ),
            TicketEvent(
                ticket=ticket,
                actor=agent,
                kind=TicketEvent.Kind.PRIORITY,
                old_value="normal",
                new_value="critical",
            ),
        ]
    )

    migration.forwards(apps, None)

    text = _history(staff_client, ticket, "ru")
    assert (
        f"Изменён исполнитель, «{agent.get_full_name()}» → "
        f"«{supervisor.get_full_name()}»" in text
    )
    # A licence no longer there keeps the text it was stored with.
    assert (
        f"Изменена лицензия, «{active_licence}» → «GONE-0000-0000-0000 (Old product)»"
        in text
    )
    assert "Изменён приоритет, «Обычный» → «Критический»" in text
