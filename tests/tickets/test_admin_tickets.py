"""The ticket admin shows tickets and changes them only through the services."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.urls import reverse

from tests.auth import sign_in
from tests.forms_on_pages import FormReader
from tickets.models import Message, Ticket, TicketEvent
from tickets.services import change_ticket_status

pytestmark = pytest.mark.django_db

CHANGE_LIST = "/admin/tickets/ticket/"


def _change_form(client, ticket: Ticket) -> tuple[str, dict[str, list[str]]]:
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert ticket.reference in page.content.decode()
    reader = FormReader("ticket_form")
    reader.feed(page.content.decode())
    assert "csrfmiddlewaretoken" in reader.data  # the form was found
    return url, reader.data


@pytest.fixture
def admin_client(client, admin_user):
    sign_in(client, admin_user)
    return client


def test_the_change_form_cannot_change_status_priority_or_assignee(
    admin_client, ticket, agent
) -> None:
    url, data = _change_form(admin_client, ticket)
    events = TicketEvent.objects.filter(ticket=ticket).count()

    admin_client.post(
        url,
        {
            **data,
            "status": Ticket.Status.CLOSED,
            "priority": Ticket.Priority.LOW,
            "assignee": str(agent.pk),
            "_save": "Save",
        },
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert ticket.priority == Ticket.Priority.HIGH
    assert ticket.assignee is None
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_the_message_inline_cannot_add_a_message(admin_client, ticket) -> None:
    url, data = _change_form(admin_client, ticket)
    count = int(data.get("messages-TOTAL_FORMS", ["1"])[0])

    admin_client.post(
        url,
        {
            **data,
            "messages-TOTAL_FORMS": str(count + 1),
            f"messages-{count}-kind": Message.Kind.REPLY,
            f"messages-{count}-author": str(ticket.contact_id),
            f"messages-{count}-body": "Written in the admin",
            f"messages-{count}-channel": Ticket.Channel.WEB,
            "_save": "Save",
        },
    )

    assert not Message.objects.filter(body="Written in the admin").exists()
    assert ticket.messages.count() == 1


def test_resolving_through_the_action_records_refreshes_and_tells_the_customer(
    admin_client,
    admin_user,
    ticket,
    customer,
    sla_targets,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGE_LIST,
            {"action": "mark_resolved", "_selected_action": [ticket.pk]},
            follow=True,
        )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    event = ticket.events.get(kind=TicketEvent.Kind.STATUS)
    assert (event.old_value, event.new_value) == ("new", "resolved")
    assert event.actor == admin_user
    assert ticket.resolved_at is not None
    assert ticket.sla_due_at is None
    assert ticket.resolution_met is True
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert ticket.reference in mailoutbox[0].subject
    assert [m.level for m in response.context["messages"]] == [messages.SUCCESS]


def test_a_status_the_workflow_forbids_is_refused_by_name(
    admin_client, ticket, agent
) -> None:
    change_ticket_status(ticket, to=Ticket.Status.CLOSED, by=agent)
    events = ticket.events.count()

    response = admin_client.post(
        CHANGE_LIST,
        {"action": "mark_waiting", "_selected_action": [ticket.pk]},
        follow=True,
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.events.count() == events
    errors = [str(m) for m in response.context["messages"] if m.level == messages.ERROR]
    assert errors == [
        f"{ticket.reference}: Заявка в статусе «Закрыта» не может стать "
        "«Ожидает ответа клиента»."
    ]


def test_priority_and_assignee_actions_record_who_changed_them(
    admin_client, admin_user, ticket, agent
) -> None:
    selected = {"_selected_action": [ticket.pk]}

    admin_client.post(CHANGE_LIST, {**selected, "action": "set_priority_critical"})
    admin_client.post(
        CHANGE_LIST, {**selected, "action": "assign", "assignee": agent.pk}
    )
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.CRITICAL
    assert ticket.assignee == agent

    admin_client.post(CHANGE_LIST, {**selected, "action": "unassign"})

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert list(
        ticket.events.exclude(kind=TicketEvent.Kind.CREATED).values_list(
            "kind", "new_value", "actor"
        )
    ) == [
        ("priority", "critical", admin_user.pk),
        ("assignee", str(agent.pk), admin_user.pk),
        ("assignee", "", admin_user.pk),
    ]


def test_assigning_without_a_staff_member_changes_nothing(admin_client, ticket) -> None:
    response = admin_client.post(
        CHANGE_LIST,
        {"action": "assign", "_selected_action": [ticket.pk], "assignee": ""},
        follow=True,
    )

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]
