from __future__ import annotations

import pytest

from tests.auth import sign_in
from tests.tickets.conftest import upload
from tickets.models import Message
from tickets.services import add_message

pytestmark = pytest.mark.django_db


def _status(client, url: str) -> int:
    """GET a file, read to the end (which closes it), as a browser would."""
    response = client.get(url)
    if response.status_code == 200:
        b"".join(response.streaming_content)
    return response.status_code


@pytest.fixture
def thread(ticket, customer, agent) -> dict[str, Message]:
    return {
        "question": ticket.messages.get(),
        "reply": add_message(ticket, author=agent, body="Ответ"),
        "note": add_message(ticket, author=agent, body="Заметка", internal=True),
        "thanks": add_message(ticket, author=customer, body="Спасибо"),
    }


def test_public_messages_are_all_but_internal_notes(thread) -> None:
    public = set(Message.objects.public())

    assert public == {thread["question"], thread["reply"], thread["thanks"]}


def test_public_chains_with_other_filters(ticket, colleagues_ticket, thread) -> None:
    assert set(Message.objects.filter(ticket=colleagues_ticket).public()) == set(
        colleagues_ticket.messages.all()
    )
    assert thread["note"] not in Message.objects.filter(ticket=ticket).public()


def test_customers_read_public_messages_staff_read_all(
    customer, agent, outsider, thread
) -> None:
    assert set(Message.objects.visible_to(customer)) == set(thread.values()) - {
        thread["note"]
    }
    assert set(Message.objects.visible_to(agent)) == set(thread.values())
    assert not Message.objects.visible_to(outsider).exists()


def test_files_follow_their_messages(client, customer, agent, ticket) -> None:
    """The download page hides what `public()` hides, and nothing else."""
    reply = add_message(
        ticket, author=agent, body="Лог", attachments=[upload("reply.txt")]
    )
    note = add_message(
        ticket,
        author=agent,
        body="Дамп",
        internal=True,
        attachments=[upload("note.txt")],
    )
    reply_url = reply.attachments.get().get_absolute_url()
    note_url = note.attachments.get().get_absolute_url()

    client.force_login(customer)
    assert _status(client, reply_url) == 200
    assert _status(client, note_url) == 404
    sign_in(client, agent)
    assert _status(client, note_url) == 200
