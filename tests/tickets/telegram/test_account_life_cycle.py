"""A chat whose contact may no longer act is unlinked and told, and hears nothing more."""

from __future__ import annotations

import pytest

from accounts.models import Membership
from accounts.services import remove_contact
from tests.tickets.telegram.conftest import file_ticket, link
from tickets.models import TelegramLink
from tickets.services import add_message

pytestmark = pytest.mark.django_db


def test_a_removed_contact_writing_is_unlinked_and_told(
    telegram, customer, colleague, active_licence
) -> None:
    chat = telegram(777002)
    link(chat, colleague)
    remove_contact(colleague.membership, by=customer)
    before = len(chat.replies())

    chat.send("Мои заявки")

    assert not TelegramLink.objects.filter(user=colleague).exists()
    told = chat.replies()[before:]
    assert len(told) == 1
    assert colleague.email in told[0]
    assert "больше не" in told[0]


def test_a_contact_now_of_another_organisation_is_unlinked(
    telegram, colleague, other_organisation, active_licence
) -> None:
    chat = telegram(777003)
    link(chat, colleague)
    Membership.objects.filter(user=colleague).delete()

    chat.send("/tickets")

    assert not TelegramLink.objects.filter(user=colleague).exists()


def test_a_removed_contact_does_not_hear_staff_replies(
    telegram,
    customer,
    colleague,
    active_licence,
    agent,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    chat = telegram(777004)
    link(chat, colleague)
    ticket = file_ticket(chat)
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=agent, body="Первый ответ")
    assert "Первый ответ" in chat.replies()[-1]

    remove_contact(colleague.membership, by=customer)
    heard = len(chat.replies())
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=agent, body="Второй ответ")

    assert len(chat.replies()) == heard
    assert mailoutbox == []
