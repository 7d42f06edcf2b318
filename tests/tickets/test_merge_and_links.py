"""Merging a duplicate into another ticket, and linking related tickets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in
from tests.factories import LicenceFactory
from tickets.models import Message, Ticket, TicketEvent, TicketLink
from tickets.services import (
    TicketError,
    add_message,
    link_tickets,
    merge_ticket,
    open_ticket,
    unlink_tickets,
)

pytestmark = pytest.mark.django_db


def _file(contact, licence, subject: str) -> Ticket:
    return open_ticket(
        contact=contact,
        licence=licence,
        subject=subject,
        description=f"{subject}: подробности",
        category=Ticket.Category.MALFUNCTION,
    )


@pytest.fixture
def keep(customer, active_licence) -> Ticket:
    return _file(customer, active_licence, "Не запускается сервер")


@pytest.fixture
def duplicate(colleague, active_licence) -> Ticket:
    return _file(colleague, active_licence, "Сервер не стартует")


@pytest.fixture
def other_licence(other_organisation):
    return LicenceFactory(organisation=other_organisation, number="BETA-0001-AAAA-0001")


def test_merging_moves_the_messages_and_closes_the_duplicate(
    keep, duplicate, colleague, agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    add_message(duplicate, author=colleague, body="Лог во вложении")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        merge_ticket(duplicate, into=keep, by=agent)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert duplicate.status == Ticket.Status.CLOSED
    assert list(keep.messages.values_list("body", flat=True)) == [
        "Не запускается сервер: подробности",
        "Сервер не стартует: подробности",
        "Лог во вложении",
    ]
    assert not Message.objects.filter(ticket=duplicate).exists()
    # The duplicate's contact still sees the conversation, now on `keep`.
    assert colleague in keep.cc.all()
    assert keep in Ticket.objects.visible_to(colleague)
    # Told once, in a message that threads into the kept ticket.
    [mail] = mailoutbox
    assert mail.to == [colleague.email]
    assert keep.reference in mail.subject
    assert duplicate.reference in mail.body
    assert mail.extra_headers["In-Reply-To"] == (
        f"<{keep.reference.lower()}@helpdesk.localhost>"
    )
    assert keep.reference.lower() in mail.reply_to[0].lower()


def test_a_reply_to_the_duplicate_lands_in_the_kept_ticket(
    keep, duplicate, colleague, agent
) -> None:
    merge_ticket(duplicate, into=keep, by=agent)

    message = add_message(duplicate, author=colleague, body="Ещё вопрос")

    assert message.ticket == keep


@pytest.mark.parametrize(
    "case", ["itself", "other organisation", "already merged", "into a merged one"]
)
def test_merges_that_make_no_sense_are_refused(
    case, keep, duplicate, outsider, other_licence, agent, customer, active_licence
) -> None:
    third = _file(customer, active_licence, "Третий")
    if case == "itself":
        source, target = keep, keep
    elif case == "other organisation":
        source, target = _file(outsider, other_licence, "Чужой"), keep
    elif case == "already merged":
        merge_ticket(duplicate, into=keep, by=agent)
        source, target = duplicate, third
    else:
        merge_ticket(duplicate, into=keep, by=agent)
        source, target = third, duplicate
    before = Message.objects.filter(ticket=source).count()

    with pytest.raises(TicketError):
        merge_ticket(source, into=target, by=agent)

    assert Message.objects.filter(ticket=source).count() == before


def test_a_customer_cannot_merge(keep, duplicate, customer) -> None:
    with pytest.raises(TicketError):
        merge_ticket(duplicate, into=keep, by=customer)


def test_merging_from_the_ticket_page(client, keep, duplicate, agent) -> None:
    sign_in(client, agent)

    response = client.post(
        f"/staff/tickets/{duplicate.reference}/merge/",
        {"reference": keep.reference.lower()},
    )

    assert response["Location"] == keep.get_absolute_url()
    page = client.get(keep.get_absolute_url()).content.decode()
    assert f"{duplicate.reference}" in page
    duplicate_page = client.get(duplicate.get_absolute_url()).content.decode()
    assert 'id="reply-form"' not in duplicate_page
    assert keep.reference in duplicate_page


def test_the_customer_sees_the_merge_in_the_thread(
    client, keep, duplicate, colleague, agent
) -> None:
    merge_ticket(duplicate, into=keep, by=agent)
    client.force_login(colleague)

    page = client.get(duplicate.get_absolute_url()).content.decode()

    assert f'href="/tickets/{keep.reference}/"' in page


def test_an_unknown_reference_is_a_message_not_a_crash(
    client, keep, duplicate, agent
) -> None:
    sign_in(client, agent)

    response = client.post(
        f"/staff/tickets/{duplicate.reference}/merge/",
        {"reference": "HD-1999-000001"},
        follow=True,
    )

    assert "HD-1999-000001" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_bulk_merge_from_the_queue(
    client, keep, duplicate, customer, active_licence, agent
) -> None:
    third = _file(customer, active_licence, "Третий")
    sign_in(client, agent)

    client.post(
        "/staff/queue/bulk/",
        {
            "tickets": [duplicate.reference, third.reference, keep.reference],
            "action": "merge",
            "into": keep.reference,
        },
    )

    assert set(keep.merged_tickets.all()) == {duplicate, third}
    assert keep.messages.count() == 3


def test_links_are_kept_both_ways_once(keep, duplicate, agent) -> None:
    assert link_tickets(keep, duplicate, by=agent)
    assert not link_tickets(duplicate, keep, by=agent)

    assert list(
        TicketLink.objects.filter(ticket=keep).values_list("related", flat=True)
    ) == [duplicate.pk]
    assert list(
        TicketLink.objects.filter(ticket=duplicate).values_list("related", flat=True)
    ) == [keep.pk]
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.LINKED).count() == 2

    assert unlink_tickets(duplicate, keep, by=agent)
    assert not TicketLink.objects.exists()


def test_links_may_cross_organisations_and_stay_staff_only(
    client, keep, outsider, other_licence, agent, customer
) -> None:
    foreign = _file(outsider, other_licence, "Похожая ошибка")
    sign_in(client, agent)

    client.post(
        f"/staff/tickets/{keep.reference}/links/", {"reference": foreign.reference}
    )

    assert TicketLink.objects.filter(ticket=keep, related=foreign).exists()
    assert foreign.reference in client.get(keep.get_absolute_url()).content.decode()
    client.force_login(customer)
    assert foreign.reference not in client.get(keep.get_absolute_url()).content.decode()


def _related_section(html: str) -> str:
    start = html.index('id="related-title"')
    return html[start : html.index("</details>", start)]


def test_the_ticket_page_lists_linked_and_merged_tickets(
    client, keep, duplicate, customer, active_licence, agent
) -> None:
    linked = _file(customer, active_licence, "Похожая ошибка")
    link_tickets(keep, linked, by=agent)
    merge_ticket(duplicate, into=keep, by=agent)
    sign_in(client, agent)

    related = _related_section(client.get(keep.get_absolute_url()).content.decode())

    assert f"/tickets/{linked.reference}/" in related
    assert "Похожая ошибка" in related
    assert f"/links/{linked.reference}/delete/" in related
    assert f"/tickets/{duplicate.reference}/" in related

    unlink_tickets(keep, linked, by=agent)
    related = _related_section(client.get(keep.get_absolute_url()).content.decode())
    assert linked.reference not in related
    assert duplicate.reference in related


def test_a_ticket_never_linked_or_merged_does_not_look_for_related_ones(
    client, keep, agent
) -> None:
    sign_in(client, agent)

    with CaptureQueriesContext(connection) as captured:
        related = _related_section(client.get(keep.get_absolute_url()).content.decode())

    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "tickets_ticketlink" not in sql
    assert '"merged_into_id" =' not in sql
    assert "<li>" not in related


def test_support_replies_are_counted_and_follow_a_merge(
    keep, duplicate, colleague, agent
) -> None:
    add_message(keep, author=agent, body="Первый ответ")
    add_message(keep, author=agent, body="Заметка", internal=True)
    add_message(duplicate, author=agent, body="Ответ по дубликату")
    add_message(duplicate, author=agent, body="Ещё ответ")
    add_message(duplicate, author=colleague, body="Спасибо")
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert (keep.staff_replies, duplicate.staff_replies) == (1, 2)

    merge_ticket(duplicate, into=keep, by=agent)

    keep.refresh_from_db()
    duplicate.refresh_from_db()
    # Internal notes and the customers' messages are not replies.
    assert (keep.staff_replies, duplicate.staff_replies) == (3, 0)
