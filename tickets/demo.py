"""Demo tickets for `make run`: a few conversations, and twelve weeks of
history so that the supervisor dashboard has something to show."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TypeVar

from django.db.models.functions import Coalesce
from django.utils.timezone import now

from accounts.models import Licence, User
from schedule import current as support_hours
from schedule.hours import MOSCOW, Calendar, NoOpeningError
from tickets.models import (
    CannedResponse,
    Macro,
    Message,
    SatisfactionRating,
    SlaTarget,
    Ticket,
    TicketEvent,
)
from tickets.services import (
    add_message,
    change_ticket_status,
    next_references,
    open_ticket,
)
from tickets.sla import sla_state, stored_facts

T = TypeVar("T")

HISTORY_DAYS = 12 * 7
REPLY = "Здравствуйте! Разбираемся, скоро вернёмся с ответом."
HISTORY_SUBJECTS = (
    ("Не приходят уведомления на почту", Ticket.Category.CONFIGURATION),
    ("Ошибка 0x17 при активации", Ticket.Category.LICENSING),
    ("Служба падает ночью при резервном копировании", Ticket.Category.MALFUNCTION),
    ("Как перенести базу на новый сервер?", Ticket.Category.CONFIGURATION),
    ("Не открывается веб-консоль после обновления", Ticket.Category.MALFUNCTION),
    ("Нужно добавить рабочие места в лицензию", Ticket.Category.LICENSING),
    ("Медленно строится отчёт за квартал", Ticket.Category.MALFUNCTION),
    ("Настройка входа через домен", Ticket.Category.CONFIGURATION),
    ("Вопрос по срокам поддержки", Ticket.Category.OTHER),
)


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
    Macro.objects.get_or_create(
        title="Решено: закрыть после подтверждения",
        owner=None,
        defaults={
            "body_ru": (
                "Здравствуйте, {customer_name}!\n\nМы решили проблему по заявке "
                "{reference}. Если что-то осталось, просто ответьте на это "
                "письмо.\n\n{agent_name}"
            ),
            "body_en": (
                "Hello {customer_name},\n\nWe have solved ticket {reference}. If "
                "anything is left, just reply to this e-mail.\n\n{agent_name}"
            ),
            "status": Ticket.Status.RESOLVED,
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
    load_demo_history(now())


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load_demo_history(until: dt.datetime, *, seed: int = 6) -> int:
    """Twelve weeks of tickets filed, answered, solved and rated before `until`.

    The rows are written at once, with their own timestamps, as an import of
    past history would write them; what `refresh_sla` stores for a ticket is
    derived from them by the same pure functions (`tickets.sla`). Returns how
    many tickets were filed.
    """
    rng = random.Random(seed)
    calendar = support_hours.calendar()
    targets = SlaTarget.objects.by_priority()
    contacts = [
        (User.objects.get(email=email), Licence.objects.get(number=number))
        for email, number in (
            ("customer@example.com", "RMSK-0001-SRVR-2026"),
            ("colleague@example.com", "RMSK-0002-WKST-2025"),
            ("north@example.com", "SVVT-1000-SRVR-2026"),
        )
    ]
    staff = list(
        User.objects.filter(email__in=["agent@example.com", "agent2@example.com"])
    )
    today = until.astimezone(MOSCOW).date()
    history: list[_PastTicket] = []
    for back in range(HISTORY_DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        openings = calendar.day(day).openings
        if openings:
            start, end = openings[0].local_opens, openings[-1].local_closes
        else:
            start = dt.datetime.combine(day, dt.time(9), tzinfo=MOSCOW)
            end = start + dt.timedelta(hours=10)
        for _n in range(rng.randint(2, 6) if openings else rng.randint(0, 1)):
            created_at = start + (end - start) * rng.random()
            if created_at < until:
                contact, licence = rng.choice(contacts)
                agent = rng.choice(staff)
                history.append(
                    _past_ticket(
                        rng, calendar, until, created_at, contact, licence, agent
                    )
                )
    for year in {past.ticket.created_at.astimezone(MOSCOW).year for past in history}:
        in_year = [
            past
            for past in history
            if past.ticket.created_at.astimezone(MOSCOW).year == year
        ]
        for past, reference in zip(
            in_year, next_references(year, len(in_year)), strict=True
        ):
            past.ticket.reference = reference
    for past in history:
        changes = [e for e in past.events if e.kind == TicketEvent.Kind.STATUS]
        state = sla_state(past.ticket, changes, targets, until, calendar=calendar)
        for field, value in stored_facts(state).items():
            setattr(past.ticket, field, value)
        _set_activity(past)
    Ticket.objects.bulk_create([past.ticket for past in history])
    Message.objects.bulk_create([m for past in history for m in past.messages])
    TicketEvent.objects.bulk_create([e for past in history for e in past.events])
    SatisfactionRating.objects.bulk_create(
        [past.rating for past in history if past.rating is not None]
    )
    filed = Ticket.objects.filter(pk__in=[past.ticket.pk for past in history])
    # bulk_create stamps `updated_at` now and skips the services' search index.
    filed.update(
        updated_at=Coalesce(
            "closed_at", "resolved_at", "first_response_at", "created_at"
        )
    )
    filed.refresh_search_index()
    filed.recount_replies()
    return len(history)


def _set_activity(past: _PastTicket) -> None:
    """What the services keep of a ticket's public activity (the customer's
    list and its "New reply" marker); the demo's history has been read."""
    ticket = past.ticket
    public = [m.created_at for m in past.messages if not m.is_internal]
    shown = [
        e.created_at
        for e in past.events
        if e.kind in {TicketEvent.Kind.STATUS, TicketEvent.Kind.MERGED}
    ]
    ticket.last_activity_at = max([ticket.created_at, *public, *shown])
    ticket.last_staff_reply_at = max(
        (m.created_at for m in past.messages if m.kind == Message.Kind.REPLY),
        default=None,
    )
    ticket.customer_seen_at = ticket.last_staff_reply_at


@dataclass
class _PastTicket:
    ticket: Ticket
    messages: list[Message]
    events: list[TicketEvent]
    rating: SatisfactionRating | None = None


def _past_ticket(
    rng: random.Random,
    calendar: Calendar,
    until: dt.datetime,
    created_at: dt.datetime,
    contact: User,
    licence: Licence,
    agent: User,
) -> _PastTicket:
    """A ticket filed at `created_at`, and as much of its life as happened by `until`."""
    subject, category = rng.choice(HISTORY_SUBJECTS)
    ticket = Ticket(
        organisation=licence.organisation,
        licence=licence,
        contact=contact,
        contact_email=contact.email,
        subject=subject,
        category=category,
        priority=_weighted(rng, {"low": 15, "normal": 55, "high": 22, "critical": 8}),
        channel=_weighted(rng, {"web": 45, "email": 35, "phone": 12, "telegram": 8}),
        created_at=created_at,
        last_customer_message_at=created_at,
        assignee=agent,
    )
    question = _message(ticket, contact, Message.Kind.CUSTOMER, subject, created_at)
    past = _PastTicket(
        ticket,
        [question],
        [_event(ticket, contact, TicketEvent.Kind.CREATED, created_at, question)],
    )
    try:
        replied_at = calendar.add_business_time(
            created_at, dt.timedelta(minutes=rng.lognormvariate(4.3, 0.9))
        )
        solved_at = calendar.add_business_time(
            replied_at, dt.timedelta(hours=rng.lognormvariate(2.3, 0.9))
        )
    except NoOpeningError:
        return past
    if replied_at >= until:
        return past
    reply = _message(ticket, agent, Message.Kind.REPLY, REPLY, replied_at)
    past.messages.append(reply)
    past.events += [
        _event(ticket, agent, TicketEvent.Kind.MESSAGE, replied_at, reply),
        _event(
            ticket, agent, TicketEvent.Kind.STATUS, replied_at, old="new", new="open"
        ),
    ]
    ticket.status, ticket.first_response_at = Ticket.Status.OPEN, replied_at
    if solved_at >= until:
        return past
    past.events.append(
        _event(
            ticket,
            agent,
            TicketEvent.Kind.STATUS,
            solved_at,
            old="open",
            new="resolved",
        )
    )
    ticket.status, ticket.resolved_at = Ticket.Status.RESOLVED, solved_at
    closed_at = solved_at + dt.timedelta(hours=rng.uniform(1, 30))
    if closed_at >= until or rng.random() > 0.7:
        return past
    past.events.append(
        _event(
            ticket,
            contact,
            TicketEvent.Kind.STATUS,
            closed_at,
            old="resolved",
            new="closed",
        )
    )
    ticket.status, ticket.closed_at = Ticket.Status.CLOSED, closed_at
    if rng.random() < 0.75:
        past.rating = SatisfactionRating(
            ticket=ticket,
            score=_weighted(rng, {5: 50, 4: 25, 3: 12, 2: 8, 1: 5}),
            rated_by=contact,
            created_at=closed_at,
        )
    return past


def _message(
    ticket: Ticket, author: User, kind: str, body: str, at: dt.datetime
) -> Message:
    return Message(
        ticket=ticket,
        author=author,
        kind=kind,
        body=body,
        channel=ticket.channel,
        created_at=at,
    )


def _event(
    ticket: Ticket,
    actor: User,
    kind: str,
    at: dt.datetime,
    message: Message | None = None,
    *,
    old: str = "",
    new: str = "",
) -> TicketEvent:
    return TicketEvent(
        ticket=ticket,
        actor=actor,
        kind=kind,
        message=message,
        old_value=old,
        new_value=new,
        created_at=at,
        notified_at=at,  # history: nobody is told of it now
    )
