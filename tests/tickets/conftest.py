from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
