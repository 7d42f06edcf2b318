"""A ticket's conversation is rendered once and cached until it changes
(tickets.conversation): every change a reader could see shows on the next
request.

Transactional: values are cached only outside a transaction, and the cache
learns of a change after its commit.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.tickets.conftest import upload
from tickets.models import Attachment, Message, Ticket
from tickets.services import (
    add_message,
    change_ticket_status,
    link_tickets,
    merge_tickets,
    open_ticket,
    set_copied_contacts,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sla_targets"),
]


@pytest.fixture
def customer_client(customer) -> Client:
    client = Client()
    client.force_login(customer)
    return client


def another_ticket(customer, licence, subject: str, description: str) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject=subject,
        description=description,
        category="other",
    )


def page(client: Client, ticket: Ticket) -> str:
    """The conversation on the ticket's page (its side column names the
    contact and the related tickets too)."""
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<ol class="timeline">')
    return html[start : html.index("</ol>", start)]


def test_the_second_page_reads_no_message_and_shows_the_same(
    staff_client, ticket
) -> None:
    first = page(staff_client, ticket)

    with CaptureQueriesContext(connection) as captured:
        second = page(staff_client, ticket)

    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "tickets_message" not in sql
    assert "tickets_attachment" not in sql
    assert "server.log" in second
    assert second == first


def test_a_reply_shows_at_once_to_both_sides(
    staff_client, customer_client, ticket, agent
) -> None:
    page(staff_client, ticket)
    page(customer_client, ticket)

    add_message(ticket, author=agent, body="Перезапустите службу.")

    assert "Перезапустите службу." in page(staff_client, ticket)
    assert "Перезапустите службу." in page(customer_client, ticket)


def test_an_internal_note_is_shown_to_staff_only(
    staff_client, customer_client, ticket, agent
) -> None:
    page(staff_client, ticket)
    page(customer_client, ticket)

    add_message(ticket, author=agent, body="Похоже на ошибку 42.", internal=True)

    assert "Похоже на ошибку 42." in page(staff_client, ticket)
    assert "Похоже на ошибку 42." not in page(customer_client, ticket)
    # Each side's cached conversation stays its own.
    assert "Похоже на ошибку 42." in page(staff_client, ticket)


def test_an_attachment_added_or_removed_shows(staff_client, ticket) -> None:
    message = ticket.messages.get()
    page(staff_client, ticket)

    attachment = Attachment.objects.create(
        message=message,
        file=upload("trace.txt", b"trace"),
        original_name="trace.txt",
        size=5,
        content_type="text/plain",
    )
    assert "trace.txt" in page(staff_client, ticket)

    attachment.delete()
    assert "trace.txt" not in page(staff_client, ticket)


def test_a_message_deleted_or_edited_in_the_admin_shows(staff_client, ticket, agent):
    reply = add_message(ticket, author=agent, body="Первый ответ.")
    page(staff_client, ticket)

    Message.objects.filter(pk=reply.pk).get().delete()
    assert "Первый ответ." not in page(staff_client, ticket)

    message = ticket.messages.get()
    message.body = "Исправленный текст."
    message.save()
    assert "Исправленный текст." in page(staff_client, ticket)


def test_a_status_change_shows(staff_client, ticket, agent) -> None:
    page(staff_client, ticket)

    change_ticket_status(ticket, to="waiting", by=agent, note="Ждём журнал")

    assert "Ждём журнал" in page(staff_client, ticket)


def test_the_sla_clocks_follow_a_status_change_without_reading_events(
    staff_client, ticket, agent
) -> None:
    """The status changes behind the SLA clocks come with the cached
    conversation, and go stale with it."""
    page(staff_client, ticket)
    with CaptureQueriesContext(connection) as captured:
        running = staff_client.get(ticket.get_absolute_url()).content.decode()
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "tickets_ticketevent" not in sql
    assert "sla-paused" not in running

    change_ticket_status(ticket, to="waiting", by=agent)

    paused = staff_client.get(ticket.get_absolute_url()).content.decode()
    assert "sla-paused" in paused


def test_a_renamed_author_shows_by_the_new_name(staff_client, ticket, customer):
    assert customer.full_name in page(staff_client, ticket)

    customer.full_name = "Анна Кузнецова"
    customer.save()

    assert "Анна Кузнецова" in page(staff_client, ticket)


def test_linking_shows_on_both_tickets(
    staff_client, ticket, agent, customer, active_licence
) -> None:
    other = another_ticket(customer, active_licence, "Вторая", "d")
    page(staff_client, ticket)
    page(staff_client, other)

    link_tickets(ticket, other, by=agent)

    assert other.reference in page(staff_client, ticket)
    assert ticket.reference in page(staff_client, other)


def test_merging_moves_the_messages_on_both_pages(
    staff_client, ticket, agent, customer, active_licence
) -> None:
    duplicate = another_ticket(
        customer, active_licence, "Дубликат", "Служба опять не стартует."
    )
    page(staff_client, ticket)
    assert "Служба опять не стартует." in page(staff_client, duplicate)

    merge_tickets([duplicate], into=ticket, by=agent)

    assert "Служба опять не стартует." in page(staff_client, ticket)
    assert "Служба опять не стартует." not in page(staff_client, duplicate)


def test_each_language_has_its_own(staff_client, ticket) -> None:
    assert "Сообщение клиента" in page(staff_client, ticket)

    staff_client.cookies["django_language"] = "en"

    english = page(staff_client, ticket)
    assert "Customer message" in english
    assert "Сообщение клиента" not in english


def test_a_change_rolled_back_leaves_the_conversation(
    staff_client, ticket, agent
) -> None:
    page(staff_client, ticket)

    with transaction.atomic():
        add_message(ticket, author=agent, body="Не отправлено.")
        assert "Не отправлено." in page(staff_client, ticket)
        transaction.set_rollback(True)

    assert "Не отправлено." not in page(staff_client, ticket)


def _copied_box(html: str, colleague) -> str:
    start = html.index(f'value="{colleague.pk}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


def test_the_copied_colleagues_follow_each_change(
    staff_client, ticket, colleague
) -> None:
    url = ticket.get_absolute_url()
    staff_client.get(url)  # cached with nobody copied
    assert "checked" not in _copied_box(
        staff_client.get(url).content.decode(), colleague
    )

    set_copied_contacts(ticket, [colleague])
    assert "checked" in _copied_box(staff_client.get(url).content.decode(), colleague)

    colleague.copied_tickets.remove(ticket)  # from the user's side
    assert "checked" not in _copied_box(
        staff_client.get(url).content.decode(), colleague
    )

    ticket.cc.add(colleague)
    colleague.copied_tickets.clear()
    assert "checked" not in _copied_box(
        staff_client.get(url).content.decode(), colleague
    )
