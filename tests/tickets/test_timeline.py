"""The ticket's timeline: each entry says who (you, a colleague by name,
support with the agent's name), when (Moscow time, with the reader's own time
beside it by script) and what; days are headed by their date; the replies
since the customer last looked follow a "new" divider; internal notes only
for staff."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime, now

from tests.tickets.conftest import upload
from tickets.models import Ticket
from tickets.services import add_message, change_ticket_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _timeline(client: Client, ticket: Ticket, language: str = "ru") -> str:
    client.cookies["django_language"] = language
    html = client.get(ticket.get_absolute_url()).content.decode()
    start = html.index('<ol class="timeline">')
    return html[start : html.index("</ol>", start)]


def _entries(html: str) -> list[str]:
    """Each entry's class and its head or text, tags and spaces squeezed."""
    entries = re.findall(
        r'<li class="(timeline-[a-z]+)[^"]*"[^>]*>(.*?)</li>', html, re.S
    )
    return [
        f"{kind}: " + " ".join(re.sub(r"<[^>]+>", " ", body).split())
        for kind, body in entries
    ]


@pytest.fixture
def conversation(ticket, agent, colleague) -> Ticket:
    """Filed two days ago; answered, a note, the colleague's message and a
    status change the day after."""
    filed = now() - datetime.timedelta(days=2)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=filed)
    ticket.messages.update(created_at=filed)

    def at(minutes: int):
        moment = filed + datetime.timedelta(days=1, minutes=minutes)
        return time_machine.travel(moment, tick=False)

    with at(0):
        add_message(
            ticket,
            author=agent,
            body="Пришлите журнал.",
            attachments=[upload("howto.pdf", b"%PDF-1.4")],
        )  # and the ticket opens
    with at(1):
        add_message(ticket, author=agent, body="Похоже на баг 42.", internal=True)
    with at(2):
        add_message(ticket, author=colleague, body="Журнал во вложении.")
    with at(3):
        change_ticket_status(ticket, to=Ticket.Status.WAITING, by=agent)
    return Ticket.objects.get(pk=ticket.pk)


def test_the_customer_reads_who_did_what_day_by_day(
    client, customer, agent, colleague, conversation
) -> None:
    client.force_login(customer)

    entries = _entries(_timeline(client, conversation))

    filed = localtime(conversation.created_at)
    waiting = filed + datetime.timedelta(days=1, minutes=3)
    with translation.override("ru"):
        day = date_format(filed.date(), "j E Y")  # 4 декабря 2026
    agent_name = f"Поддержка · {agent.full_name}"
    assert [entry.split(":")[0] for entry in entries] == [
        "timeline-day",
        "timeline-message",
        "timeline-day",
        "timeline-message",
        "timeline-event",
        "timeline-message",
        "timeline-event",
    ]
    assert entries[1].startswith("timeline-message: Вы ")
    assert entries[3].startswith(f"timeline-message: {agent_name} ")
    assert "howto.pdf" in entries[3]
    assert entries[4].startswith(f"timeline-event: {agent_name}: статус изменён")
    assert entries[5].startswith(f"timeline-message: {colleague.full_name} ")
    assert entries[6].startswith(
        f"timeline-event: {agent_name}: статус изменён с «В работе» на «Ожидает ответа клиента»."
    )
    assert waiting.strftime("%d.%m.%Y %H:%M") in entries[6]
    assert entries[0] == f"timeline-day: {day}"
    assert "Похоже на баг 42" not in " ".join(entries)


def test_staff_see_the_internal_note_marked_as_such(
    staff_client, agent, customer, conversation
) -> None:
    html = _timeline(staff_client, conversation)

    (note,) = re.findall(
        r'<li class="timeline-message kind-internal_note".*?</li>', html, re.S
    )
    assert "Похоже на баг 42" in note
    assert "Внутренняя заметка" in note
    entries = _entries(html)
    assert entries[1].startswith(f"timeline-message: {customer.full_name} ")
    # One rendering for all staff: nobody is "You" in it.
    assert entries[3].startswith(f"timeline-message: Поддержка · {agent.full_name} ")
    assert not any(" Вы " in f" {e} " for e in entries)


def test_every_time_carries_the_local_time_script_hook(
    client, customer, conversation
) -> None:
    client.force_login(customer)

    html = _timeline(client, conversation, "en")

    times = re.findall(r'<time datetime="([^"]+)">', html)
    hooks = re.findall(r'data-local-time="([^"]+)"', html)
    assert times == hooks
    assert len(times) == 5  # three messages (not the note), two status changes
    assert all(t.endswith("+03:00") for t in times)  # Moscow
    assert 'data-label="(your time: {time})"' in html


def test_english_names_support_and_you(client, customer, agent, conversation) -> None:
    client.force_login(customer)

    entries = _entries(_timeline(client, conversation, "en"))

    assert entries[1].startswith("timeline-message: You ")
    assert entries[3].startswith(f"timeline-message: Support · {agent.full_name} ")
    assert "changed the status from “Open” to “Waiting for customer”" in entries[6]


def test_new_replies_follow_a_divider_once(
    client, customer, agent, conversation
) -> None:
    client.force_login(customer)
    _timeline(client, conversation)  # seen
    with time_machine.travel(now() - datetime.timedelta(minutes=10), tick=False):
        add_message(conversation, author=agent, body="Первый новый ответ.")
    with time_machine.travel(now() - datetime.timedelta(minutes=5), tick=False):
        add_message(conversation, author=agent, body="Второй новый ответ.")

    first = _entries(_timeline(client, conversation))
    again = _entries(_timeline(client, conversation))

    kinds = [entry.split(":")[0] for entry in first]
    divider = kinds.index("timeline-new")
    assert first[divider] == "timeline-new: Новое с вашего прошлого визита"
    assert "Первый новый ответ" in first[divider + 1]
    assert kinds.count("timeline-new") == 1
    assert "timeline-new" not in [entry.split(":")[0] for entry in again]


def test_a_reply_never_seen_is_new_from_the_start(
    client, customer, agent, ticket
) -> None:
    add_message(ticket, author=agent, body="Ответ.")
    client.force_login(customer)

    entries = _entries(_timeline(client, ticket))

    kinds = [entry.split(":")[0] for entry in entries]
    assert kinds.count("timeline-new") == 1
    assert "Ответ." in entries[kinds.index("timeline-new") + 1]


def test_staff_pages_have_no_customer_divider(staff_client, agent, ticket) -> None:
    add_message(ticket, author=agent, body="Ответ.")

    assert "timeline-new" not in _timeline(staff_client, ticket)
