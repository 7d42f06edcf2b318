"""A few demo tickets, so that `make run` shows a conversation."""

from __future__ import annotations

from accounts.models import Licence, User
from tickets.models import CannedResponse, Ticket
from tickets.services import add_message, change_ticket_status, open_ticket


def load_demo_tickets() -> None:
    """File the demo tickets once; a second run finds them and does nothing."""
    CannedResponse.objects.get_or_create(
        title="Нужен журнал сервера",
        defaults={
            "body_ru": (
                "Здравствуйте, {customer_name}!\n\nЧтобы разобраться, пришлите, "
                "пожалуйста, журнал сервера лицензии {licence_number} за последние "
                "сутки. Поддержка по лицензии действует до {support_ends_on}."
            ),
            "body_en": (
                "Hello {customer_name},\n\nPlease send us the server log of licence "
                "{licence_number} for the last day. Your support runs until "
                "{support_ends_on}."
            ),
        },
    )
    customer = User.objects.get(email="customer@example.com")
    if Ticket.objects.filter(contact=customer).exists():
        return
    agent = User.objects.get(email="agent@example.com")
    colleague = User.objects.get(email="colleague@example.com")
    server = Licence.objects.get(number="RMSK-0001-SRVR-2026")
    workstation = Licence.objects.get(number="RMSK-0002-WKST-2025")

    answered = open_ticket(
        contact=customer,
        licence=server,
        subject="Служба не запускается после обновления до 5.2",
        description=(
            "После обновления сервера до версии 5.2 служба не стартует.\n\n"
            "В журнале:\n\n```\nERROR: database schema is out of date\n```"
        ),
        category=Ticket.Category.MALFUNCTION,
        priority=Ticket.Priority.HIGH,
    )
    add_message(
        answered, author=agent, body="Похоже, миграция базы не прошла.", internal=True
    )
    add_message(
        answered,
        author=agent,
        body=(
            "Здравствуйте! Запустите `helpdesk-server migrate` от имени службы и "
            "перезапустите её. Если ошибка останется, пришлите, пожалуйста, полный журнал."
        ),
        new_status=Ticket.Status.WAITING,
    )
    open_ticket(
        contact=colleague,
        licence=workstation,
        subject="Как настроить резервное копирование?",
        description="Хотим копировать базу каждую ночь в сетевую папку. Где это настраивается?",
        category=Ticket.Category.CONFIGURATION,
    )
    solved = open_ticket(
        contact=customer,
        licence=server,
        subject="Activation fails with error 0x17",
        description="The activation wizard stops with error 0x17 on the new server.",
        category=Ticket.Category.LICENSING,
        priority=Ticket.Priority.NORMAL,
    )
    add_message(
        solved,
        author=agent,
        body="The licence was bound to the old server. We have released it; please activate again.",
        new_status=Ticket.Status.RESOLVED,
    )
    change_ticket_status(solved, to=Ticket.Status.CLOSED, by=customer)
