"""Macros: what `apply_macro` and the composer's one Send do to a ticket, and
who keeps which macro in the admin."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.auth import sign_in
from tests.tickets.conftest import upload
from tickets.models import Macro, Message, Ticket, TicketEvent
from tickets.services import (
    TicketError,
    apply_macro,
    change_ticket_status,
    send_staff_message,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


@pytest.fixture
def macro(supervisor) -> Macro:
    return Macro.objects.create(
        title="Нужен журнал",
        body_ru="Здравствуйте, {customer_name}! Пришлите журнал по заявке "
        "{reference}. {agent_name}. {{ request.user }} {% debug %}",
        body_en="Hello {customer_name}, please send the log ({reference}).",
        status=Ticket.Status.WAITING,
        priority=Ticket.Priority.CRITICAL,
        category=Ticket.Category.LICENSING,
        assignee=supervisor,
    )


def test_apply_macro_sets_its_properties_with_history_and_returns_its_text(
    ticket, agent, supervisor, macro, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        text = apply_macro(ticket, macro, by=agent)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.category, ticket.assignee) == (
        "waiting",
        "critical",
        "licensing",
        supervisor,
    )
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {"status", "priority", "category", "assignee"} <= kinds
    # Placeholders filled; template syntax is left as text, never run.
    assert text == (
        f"Здравствуйте, Анна Смирнова! Пришлите журнал по заявке {ticket.reference}."
        f" {agent.full_name}. {{{{ request.user }}}} {{% debug %}}"
    )
    # The status change is told to the customer as any other.
    assert [m.to for m in mailoutbox][-1] == [ticket.contact_email]


def test_apply_macro_in_the_customers_language(ticket, agent, macro, customer):
    customer.language = "en"
    customer.save(update_fields=["language"])

    text = apply_macro(ticket, macro, by=agent, with_status=False)

    assert text.startswith("Hello Анна Смирнова")
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_a_status_the_workflow_refuses_changes_nothing(ticket, agent, macro) -> None:
    change_ticket_status(ticket, to=Ticket.Status.CLOSED, by=agent)

    with pytest.raises(TicketError):
        apply_macro(ticket, macro, by=agent)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("closed", "high")
    assert not ticket.events.filter(kind=TicketEvent.Kind.PRIORITY).exists()


def test_someone_elses_personal_macro_is_refused(ticket, agent, supervisor) -> None:
    theirs = Macro.objects.create(title="Моё", body_ru="x", owner=supervisor)
    inactive = Macro.objects.create(title="Старое", body_ru="x", is_active=False)

    for macro in (theirs, inactive):
        with pytest.raises(TicketError):
            apply_macro(ticket, macro, by=agent)


def test_usable_by_lists_shared_and_own_active_macros(agent, supervisor) -> None:
    shared = Macro.objects.create(title="Общий", body_ru="x")
    mine = Macro.objects.create(title="Мой", body_ru="x", owner=agent)
    Macro.objects.create(title="Чужой", body_ru="x", owner=supervisor)
    Macro.objects.create(title="Выключен", body_ru="x", is_active=False)

    assert list(Macro.objects.usable_by(agent)) == [mine, shared]


def test_a_macro_that_does_nothing_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Macro.objects.create(title="Пустой")


def test_one_send_applies_the_macro_adds_the_reply_then_the_status(
    ticket, agent, supervisor, macro, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = send_staff_message(
            ticket, by=agent, body="Пришлите журнал", macro=macro
        )

    ticket.refresh_from_db()
    assert message.kind == Message.Kind.REPLY
    assert (ticket.status, ticket.priority, ticket.assignee) == (
        "waiting",
        "critical",
        supervisor,
    )
    # One e-mail to the customer: the reply says the new status itself; the
    # new assignee hears of the assignment (notifications).
    assert sorted(m.to for m in mailoutbox) == [
        [ticket.contact_email],
        [supervisor.email],
    ]


def test_the_status_chosen_on_send_wins_over_the_macros(ticket, agent, macro):
    send_staff_message(
        ticket, by=agent, body="Готово", then_status="resolved", macro=macro
    )

    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_a_failed_send_leaves_the_macro_unapplied(ticket, agent, macro) -> None:
    with pytest.raises(TicketError):
        send_staff_message(ticket, by=agent, body="  ", macro=macro)

    ticket.refresh_from_db()
    assert ticket.priority == "high"
    assert ticket.messages.count() == 1


def test_a_note_with_a_status(ticket, agent) -> None:
    send_staff_message(
        ticket, by=agent, body="Для своих", internal=True, then_status="waiting"
    )

    ticket.refresh_from_db()
    assert ticket.messages.last().kind == Message.Kind.INTERNAL_NOTE
    assert ticket.status == "waiting"


def test_a_phone_call_then_a_status(ticket, agent) -> None:
    message = send_staff_message(
        ticket,
        by=agent,
        body="Клиент говорит, что всё работает",
        phone_call=True,
        then_status="resolved",
        attachments=[upload("call.txt")],
    )

    ticket.refresh_from_db()
    assert (message.kind, message.channel, message.author) == (
        Message.Kind.CUSTOMER,
        Ticket.Channel.PHONE,
        ticket.contact,
    )
    assert ticket.status == "resolved"


def test_an_agent_keeps_own_macros_in_the_admin_and_reads_shared_ones(
    client, agent, supervisor
) -> None:
    shared = Macro.objects.create(title="Общий", body_ru="x")
    theirs = Macro.objects.create(title="Чужой", body_ru="x", owner=supervisor)
    sign_in(client, agent)

    response = client.post(
        "/admin/tickets/macro/add/",
        {"title": "Мой макрос", "body_ru": "Текст", "body_en": "", "is_active": "on"},
    )

    assert response.status_code == 302
    assert Macro.objects.get(title="Мой макрос").owner == agent
    listing = client.get("/admin/tickets/macro/").content.decode()
    assert "Мой макрос" in listing
    assert "Общий" in listing
    assert "Чужой" not in listing
    assert client.get(f"/admin/tickets/macro/{theirs.pk}/change/").status_code in (
        302,
        404,
    )
    # Shared: shown to read, not to change.
    client.post(
        f"/admin/tickets/macro/{shared.pk}/change/",
        {"title": "Переименован", "body_ru": "x", "is_active": "on"},
    )
    shared.refresh_from_db()
    assert shared.title == "Общий"


def test_a_supervisor_keeps_shared_macros(client, supervisor) -> None:
    sign_in(client, supervisor)

    response = client.post(
        "/admin/tickets/macro/add/",
        {"title": "Общий", "body_ru": "", "priority": "low", "is_active": "on"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Macro.objects.get(title="Общий").owner is None


def test_a_macro_moves_the_ticket_to_a_group_and_tags_it(ticket, agent) -> None:
    from tickets.models import SupportGroup

    group = SupportGroup.objects.create(name="Вторая линия")
    macro = Macro.objects.create(
        title="На вторую линию", group=group, tags="Эскалация, VPN"
    )

    text = apply_macro(ticket, macro, by=agent)

    ticket.refresh_from_db()
    assert text == ""
    assert ticket.group == group
    assert ticket.tag_names == "vpn, эскалация"
