from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.auth import sign_in
from tickets.models import Ticket
from tickets.services import open_ticket


def upload(
    name: str, content: bytes = b"data", content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_client(client, agent) -> Client:
    """Signed in as an agent, second factor given."""
    sign_in(client, agent)
    return client


@pytest.fixture
def ticket(customer, active_licence) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Не запускается служба",
        description="После обновления служба **не стартует**.",
        category=Ticket.Category.MALFUNCTION,
        priority=Ticket.Priority.HIGH,
        attachments=[upload("server.log", b"ERROR 42\n")],
    )


@pytest.fixture
def colleagues_ticket(colleague, active_licence) -> Ticket:
    return open_ticket(
        contact=colleague,
        licence=active_licence,
        subject="Вопрос коллеги",
        description="Как настроить резервное копирование?",
        category=Ticket.Category.CONFIGURATION,
    )


@pytest.fixture
def sla_targets(db) -> None:
    """The default SLA targets of the data migration (a transactional test's
    flush removes them)."""
    from django.apps import apps

    migration = importlib.import_module("tickets.migrations.0004_default_sla_targets")
    migration.add_defaults(apps, None)


@pytest.fixture
def shipped_calendar(db) -> Iterator[None]:
    """The production calendars 2025-2027 in the database and freshly loaded."""
    from schedule import current
    from schedule.models import CalendarYear
    from tests.schedule.support import restore_shipped_schedule

    if not CalendarYear.objects.filter(year=2026).exists():
        restore_shipped_schedule()
    current.forget()
    yield
    current.forget()
