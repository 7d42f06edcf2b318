"""Support hours now, and the help text, in the contact's language."""

from __future__ import annotations

import pytest
import time_machine

from tests.schedule.support import msk
from tests.tickets.telegram.conftest import link
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_in(telegram, customer, active_licence, shipped_calendar):
    def make(language: str):
        customer.language = language
        customer.save()
        chat = telegram(800 + len(language), language=language)
        link(chat, customer)
        return chat

    return make


@pytest.mark.parametrize(
    ("language", "open_until", "monday"),
    [
        ("ru", "Поддержка работает до 19:00 МСК", "Понедельник: 07:00–19:00"),
        ("en", "Support is open until 19:00 Moscow time", "Monday: 07:00–19:00"),
    ],
)
def test_hours_now_in_the_contacts_language(
    chat_in, language, open_until, monday
) -> None:
    chat = chat_in(language)

    with time_machine.travel(msk(2026, 1, 12, 12), tick=False):
        chat.press("hours")

    text = chat.last()["text"]
    assert text.startswith(open_until)
    assert monday in text
    assert "/support-hours/" in text


def test_when_closed_the_hours_say_when_support_opens(chat_in) -> None:
    chat = chat_in("en")

    with time_machine.travel(msk(2026, 12, 31, 20), tick=False):
        chat.send("/hours")

    assert chat.last()["text"].startswith(
        "Support is closed; it opens on Saturday, 9 January, at 09:00 Moscow time"
    )


@pytest.mark.parametrize(
    ("language", "scope"),
    [
        ("ru", "Обучение пользователей в неё не входит"),
        ("en", "It does not include user training."),
    ],
)
def test_the_help_says_support_is_configuration_not_training(
    chat_in, language, scope
) -> None:
    chat = chat_in(language)

    chat.send("/help")

    assert scope in chat.last()["text"]
    assert set(chat.buttons()) == {"new", "list", "hours", "help"}


def test_a_ticket_filed_out_of_hours_is_told_when_support_opens(chat_in) -> None:
    chat = chat_in("en")

    with time_machine.travel(msk(2026, 12, 31, 20), tick=False):
        chat.press("new")
        chat.send("Тема")
        chat.send("Описание")
        chat.press("send")

    text = chat.last()["text"]
    assert Ticket.objects.get().reference in text
    assert "it opens on Saturday, 9 January" in text
