"""Who hears of what (`notifications.services.tell_of`), and never of their own doing."""

from __future__ import annotations

import datetime

import pytest

from automation.actions import robot
from notifications.models import Follow, Notification, Preferences
from tests.notifications.conftest import file
from tickets.models import Ticket
from tickets.services import add_message, change_ticket_status, update_ticket

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def _told(**filters) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(**filters).values_list("recipient__email", "kind")
    )


def test_a_new_ticket_without_a_group_is_told_to_nobody(
    customer, active_licence, group, agent
) -> None:
    ticket = file(customer, active_licence)
    update_ticket(ticket, by=agent, group=group)  # a regrouping is not news

    assert _told() == []


def test_a_ticket_routed_to_a_group_on_filing_is_told_to_its_members(
    customer, active_licence, group, ivan, maria
) -> None:
    from tests.automation.conftest import rule

    rule(
        "routing", "Всё в первую линию", actions=[{"kind": "set_group", "group": group}]
    )

    ticket = file(customer, active_licence)

    assert _told(ticket=ticket) == [
        (ivan.email, Kind.NEW_TICKET),
        (maria.email, Kind.NEW_TICKET),
    ]
    notification = Notification.objects.get(recipient=ivan)
    assert notification.text == "После обновления служба не стартует."
    assert notification.read_at is None


def test_a_customers_message_is_told_to_the_assignee_in_the_app_and_by_e_mail(
    ticket, customer, ivan, maria, group, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    update_ticket(ticket, by=maria, assignee=ivan, group=group)
    Notification.objects.all().delete()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=customer, body="Есть новости?")

    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (ivan, Kind.CUSTOMER_REPLY)
    assert notification.text == "Есть новости?"
    # One e-mail, the notification's (the tickets' own mail no longer goes
    # to staff), so quiet hours and digests hold it like any other.
    assert [m.to for m in mailoutbox] == [[ivan.email]]
    assert "Есть новости?" in mailoutbox[0].body


def test_the_assignees_quiet_hours_hold_a_customers_message(
    ticket, customer, ivan, maria, group, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    update_ticket(ticket, by=maria, assignee=ivan, group=group)
    Preferences.objects.create(
        user=ivan, quiet_from=datetime.time(0), quiet_to=datetime.time(23, 59)
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=customer, body="Есть новости?")

    assert mailoutbox == []
    notice = Notification.objects.get(recipient=ivan, kind=Kind.CUSTOMER_REPLY)
    assert notice.email_due_at is not None
    assert notice.emailed_at is None


def test_a_customers_message_to_an_unassigned_ticket_is_told_to_the_group(
    ticket, customer, ivan, maria, group, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    update_ticket(ticket, by=None, group=group)

    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=customer, body="Есть новости?")

    assert _told() == [
        (ivan.email, Kind.CUSTOMER_REPLY),
        (maria.email, Kind.CUSTOMER_REPLY),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == [ivan.email, maria.email]
    assert all("Есть новости?" in m.body for m in mailoutbox)


def test_an_assignment_is_told_to_the_new_assignee_unless_they_took_it(
    ticket, ivan, maria
) -> None:
    update_ticket(ticket, by=ivan, assignee=ivan)
    assert _told() == []

    update_ticket(ticket, by=ivan, assignee=maria)

    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (maria, Kind.ASSIGNED)
    assert "Иван Петров" in notification.title


def test_an_assignment_by_a_rule_is_told(ticket, ivan) -> None:
    update_ticket(ticket, by=None, assignee=ivan)

    assert _told() == [(ivan.email, Kind.ASSIGNED)]


def test_a_mention_in_an_internal_note_by_address_or_by_name(
    ticket, ivan, maria, agent
) -> None:
    add_message(
        ticket,
        author=agent,
        body="@ivan.petrov, глянь логи; и @мария соколова тоже. mail@maria.example",
        internal=True,
    )

    assert _told() == [(ivan.email, Kind.MENTION), (maria.email, Kind.MENTION)]
    assert Notification.objects.get(recipient=ivan).text.startswith("@ivan.petrov")


def test_no_mention_without_the_at_sign_or_inside_a_longer_name(
    ticket, ivan, maria, agent
) -> None:
    add_message(
        ticket,
        author=agent,
        body="Иван Петров, ivan.petrov@support.example, @ivan.petrovich, @maria_x",
        internal=True,
    )

    assert _told() == []


def test_a_public_reply_is_no_mention_and_nobody_is_told_of_their_own_note(
    ticket, ivan, agent
) -> None:
    add_message(
        ticket, author=ivan, body="@ivan.petrov напоминание себе", internal=True
    )
    add_message(ticket, author=agent, body="Спасибо, @ivan.petrov посмотрит")

    assert _told() == []


def test_followers_hear_of_public_messages_status_and_assignment(
    ticket, customer, ivan, maria, agent
) -> None:
    change_ticket_status(ticket, to=Ticket.Status.OPEN, by=agent)
    Follow.objects.create(user=ivan, ticket=ticket)

    add_message(ticket, author=agent, body="Ответ клиенту")
    add_message(ticket, author=agent, body="Заметка", internal=True)
    change_ticket_status(ticket, to=Ticket.Status.WAITING, by=agent)
    update_ticket(ticket, by=agent, assignee=maria)

    told = list(
        Notification.objects.filter(recipient=ivan)
        .order_by("pk")
        .values_list("kind", "title")
    )
    assert [kind for kind, _title in told] == [Kind.FOLLOWED] * 3
    assert "Ожидает ответа клиента" in told[1][1]
    assert "Мария Соколова" in told[2][1]


def test_a_follower_is_not_told_of_their_own_doing(ticket, ivan) -> None:
    Follow.objects.create(user=ivan, ticket=ticket)

    add_message(ticket, author=ivan, body="Ответ")
    change_ticket_status(ticket, to=Ticket.Status.WAITING, by=ivan)

    assert _told() == []


def test_one_change_is_one_notification_whatever_the_reasons(
    ticket, ivan, agent
) -> None:
    Follow.objects.create(user=ivan, ticket=ticket)

    update_ticket(ticket, by=agent, assignee=ivan)

    assert _told() == [(ivan.email, Kind.ASSIGNED)]


def test_a_rules_note_mentions_and_inactive_staff_hear_nothing(
    ticket, ivan, maria
) -> None:
    maria.is_active = False
    maria.save(update_fields=["is_active"])
    Follow.objects.create(user=maria, ticket=ticket)

    add_message(ticket, author=robot(), body="@ivan.petrov, VIP-клиент", internal=True)
    add_message(ticket, author=robot(), body="Автоответ")

    assert _told() == [(ivan.email, Kind.MENTION)]
