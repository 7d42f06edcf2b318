from __future__ import annotations

import pytest

from tickets.models import NotificationSettings, Ticket
from tickets.services import add_message, change_ticket_status, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(
    customer, active_licence, mailoutbox, django_capture_on_commit_callbacks
) -> Ticket:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(
            contact=customer,
            licence=active_licence,
            subject="Тема <b>жирная</b>",
            description="Описание",
            category=Ticket.Category.OTHER,
        )
    return ticket


def test_filing_is_acknowledged_with_the_reference_as_the_thread_root(
    filed, mailoutbox
) -> None:
    ack = mailoutbox[0]

    assert ack.to == [filed.contact_email]
    assert ack.subject == f"[{filed.reference}] Тема <b>жирная</b>"
    assert (
        ack.extra_headers["Message-ID"]
        == f"<{filed.reference.lower()}@helpdesk.localhost>"
    )
    assert "Мы получили вашу заявку" in ack.body
    html = ack.alternatives[0][0]
    assert "&lt;b&gt;жирная&lt;/b&gt;" in html


def test_a_staff_reply_is_mailed_to_the_contact_and_copies_threaded(
    filed, agent, colleague, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    colleague.language = "en"
    colleague.save()
    filed.cc.add(colleague)

    with django_capture_on_commit_callbacks(execute=True):
        add_message(filed, author=agent, body="Обновите **драйвер**")

    replies = mailoutbox[1:]
    assert sorted(m.to[0] for m in replies) == sorted(
        [filed.contact_email, colleague.email]
    )
    for reply in replies:
        assert (
            reply.extra_headers["In-Reply-To"]
            == f"<{filed.reference.lower()}@helpdesk.localhost>"
        )
        assert reply.extra_headers["References"] == reply.extra_headers["In-Reply-To"]
        assert reply.extra_headers["Message-ID"] != reply.extra_headers["In-Reply-To"]
        assert "<strong>драйвер</strong>" in reply.alternatives[0][0]
    english = next(m for m in replies if m.to == [colleague.email])
    assert "from technical support wrote" in english.body


def test_internal_notes_are_never_mailed(
    filed, agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    filed.assignee = agent
    filed.save()

    with django_capture_on_commit_callbacks(execute=True):
        add_message(filed, author=agent, body="ВНУТРЕННЯЯ заметка", internal=True)

    assert len(mailoutbox) == 1  # the acknowledgement only
    assert all("ВНУТРЕННЯЯ" not in m.body for m in mailoutbox)


def test_the_assignee_hears_of_customer_messages(
    filed, agent, customer, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    filed.assignee = agent
    filed.save()

    with django_capture_on_commit_callbacks(execute=True):
        add_message(filed, author=customer, body="Ещё вопрос")

    assert mailoutbox[-1].to == [agent.email]
    assert "Ещё вопрос" in mailoutbox[-1].body


def test_status_changes_reach_the_customer_unless_they_opted_out(
    filed, agent, customer, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        change_ticket_status(filed, to=Ticket.Status.WAITING, by=agent)
    assert "Ожидает ответа клиента" in mailoutbox[-1].body

    NotificationSettings.objects.create(user=customer, on_status_change=False)
    with django_capture_on_commit_callbacks(execute=True):
        change_ticket_status(filed, to=Ticket.Status.RESOLVED, by=agent)

    assert len(mailoutbox) == 2


def test_each_event_is_mailed_once(filed, mailoutbox) -> None:
    from tickets.notify import notify

    assert notify(filed.events.get()) == 0

    assert len(mailoutbox) == 1
