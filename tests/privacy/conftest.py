from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AccessRequest, Licence, Membership, User
from accounts.services import request_access
from notifications.models import Notification
from tests.factories import MembershipFactory
from tickets.email.incoming import ingest
from tickets.models import (
    Attachment,
    InboundEmail,
    TelegramLink,
    TelegramUpdate,
    Ticket,
)
from tickets.models.telegram import OutgoingTelegramMessage
from tickets.services import add_message, open_ticket

NAME = "Евлампия Подберёзкина"
EMAIL = "evlampia@alfa.example"
PHONE = "+79161234567"
CHAT_ID = 777001


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    person: User
    tickets: list[Ticket]
    colleague_ticket: Ticket
    attachment: Attachment
    staff_attachment: Attachment
    inbound: InboundEmail


def raw_mail(subject: str, body: str, message_id: str) -> bytes:
    return (
        f"From: =?utf-8?b?0JXQstC70LDQvNC/0LjRjw==?= <{EMAIL}>\r\n"
        "To: support@helpdesk.localhost\r\n"
        f"Subject: {subject}\r\nMessage-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


@pytest.fixture
def world(
    organisation, active_licence: Licence, customer, colleague, agent, admin_user
) -> World:
    """A contact who left traces everywhere: tickets by the portal and by
    e-mail with her signature, files, a Telegram chat, mail to and about
    her, notices, an access request and an admin log line."""
    request_access(
        AccessRequest(
            organisation_name=organisation.name,
            tax_id=organisation.tax_id,
            full_name=NAME,
            position="Бухгалтер",
            email=EMAIL,
            phone=PHONE,
            licence_number=active_licence.number,
        ),
        ip_address="203.0.113.7",
    )
    person = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MEMBER,
        user__email=EMAIL,
        user__full_name=NAME,
        user__phone=PHONE,
        user__position="Бухгалтер",
    ).user
    filed = open_ticket(
        contact=person,
        licence=active_licence,
        subject=f"Ошибка у {NAME}",
        description=(
            f"Лицензия {active_licence.number} не активируется.\n\n"
            f"С уважением, {NAME}, +7 916 123-45-67, {EMAIL}"
        ),
        category=Ticket.Category.MALFUNCTION,
        contact_phone=PHONE,
        attachments=[SimpleUploadedFile("паспорт.pdf", b"%PDF-1.4 her scan")],
        cc=[colleague],
    )
    reply = add_message(
        filed,
        author=agent,
        body="Здравствуйте, Евлампия! Пришлите журнал, пожалуйста.",
        attachments=[SimpleUploadedFile("инструкция.txt", b"steps")],
    )
    add_message(
        filed,
        author=agent,
        body="Позвонить Подберёзкиной после обеда.",
        internal=True,
    )
    inbound = ingest(
        raw_mail(
            "Не работает экспорт",
            f"Экспорт падает.\n\n--\n{NAME}\nтел. 8 916 123 45 67",
            "<evlampia-1@alfa.example>",
        ),
        source="imap",
    )
    assert inbound.ticket is not None, inbound.reason
    colleague_ticket = open_ticket(
        contact=colleague,
        licence=active_licence,
        subject="Доступ для коллеги",
        description=f"Дайте доступ {NAME} ({EMAIL}). Мой адрес {colleague.email}.",
        category=Ticket.Category.MALFUNCTION,
    )
    link = TelegramLink.objects.create(
        user=person, chat_id=CHAT_ID, telegram_name="Евлампия П."
    )
    TelegramUpdate.objects.create(
        update_id=9001,
        chat_id=CHAT_ID,
        payload={
            "message": {
                "chat": {"id": CHAT_ID, "first_name": "Евлампия"},
                "text": f"Я {NAME}",
            }
        },
    )
    OutgoingTelegramMessage.objects.create(
        chat_id=CHAT_ID,
        method="sendMessage",
        payload={"chat_id": CHAT_ID, "text": "Здравствуйте, Евлампия!"},
        link=link,
        ticket=filed,
    )
    Notification.objects.create(
        recipient=agent,
        ticket=filed,
        kind=Notification.Kind.CUSTOMER_REPLY,
        title=f"{NAME} ответила в {filed.reference}",
        text="С уважением, Евлампия",
    )
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=f"Changed phone of {NAME}",
    )
    return World(
        person=person,
        tickets=[filed, inbound.ticket],
        colleague_ticket=colleague_ticket,
        attachment=filed.messages.first().attachments.get(),
        staff_attachment=reply.attachments.get(),
        inbound=inbound,
    )
