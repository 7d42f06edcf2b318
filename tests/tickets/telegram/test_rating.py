"""Once a ticket is closed, its chats are asked for a rating, given by a button."""

from __future__ import annotations

import pytest

from tests.factories import LicenceFactory
from tests.tickets.telegram.conftest import file_ticket, link
from tickets import rating_links
from tickets.models import OutgoingTelegramMessage, SatisfactionRating, Ticket
from tickets.services import change_ticket_status, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def set_status(agent, django_capture_on_commit_callbacks):
    def change(ticket: Ticket, status: str, **kwargs) -> None:
        kwargs.setdefault("by", agent)
        with django_capture_on_commit_callbacks(execute=True):
            change_ticket_status(ticket, to=status, **kwargs)

    return change


@pytest.fixture
def closed_ticket(customer_chat, reply, set_status) -> Ticket:
    """Filed in the chat, answered, resolved, then closed by the auto-close."""
    ticket = file_ticket(customer_chat)
    reply(ticket, "Готово")
    set_status(ticket, Ticket.Status.RESOLVED)
    set_status(ticket, Ticket.Status.CLOSED, by=None)
    return ticket


def test_closing_an_answered_ticket_asks_for_a_rating(
    customer_chat, closed_ticket
) -> None:
    status, question = customer_chat.replies()[-2:]
    assert "Статус: Закрыта" in status
    assert question.startswith(f"{closed_ticket.reference} · ")
    assert customer_chat.buttons() == [
        f"rate:{closed_ticket.reference}:{score}" for score in range(1, 6)
    ]


def test_a_reply_sent_with_closed_asks_after_it_once(customer_chat, reply) -> None:
    ticket = file_ticket(customer_chat)
    before = len(customer_chat.replies())

    reply(ticket, "Перезапустите службу.", new_status=Ticket.Status.CLOSED)

    told, question = customer_chat.replies()[before:]
    assert "Перезапустите службу." in told
    assert question.startswith(f"{ticket.reference} · ")
    assert customer_chat.buttons() == [
        f"rate:{ticket.reference}:{score}" for score in range(1, 6)
    ]

    reply(ticket, "И ещё одно.")

    [later] = customer_chat.replies()[before + 2 :]
    assert "И ещё одно." in later
    assert customer_chat.buttons() == []


def test_resolving_does_not_ask_yet(customer_chat, reply, set_status) -> None:
    """`rate_ticket` rates closed tickets only: a resolved one may still reopen."""
    ticket = file_ticket(customer_chat)
    reply(ticket, "Готово")

    set_status(ticket, Ticket.Status.RESOLVED)

    assert customer_chat.buttons() == []


def test_an_unanswered_ticket_is_not_asked_about(customer_chat, set_status) -> None:
    ticket = file_ticket(customer_chat)

    set_status(ticket, Ticket.Status.CLOSED)

    assert "Статус: Закрыта" in customer_chat.last()["text"]
    assert customer_chat.buttons() == []


def test_a_button_rates_the_ticket_and_the_question_thanks(
    customer_chat, customer, closed_ticket, bot_api
) -> None:
    question = customer_chat.last()
    bot_api.calls.clear()

    customer_chat.press(
        f"rate:{closed_ticket.reference}:4", message_id=question["message_id"]
    )

    rating = SatisfactionRating.objects.get(ticket=closed_ticket)
    assert (rating.score, rating.rated_by) == (4, customer)
    assert closed_ticket.events.filter(kind="rated", new_value="4").exists()
    # Then the invitation to comment.
    assert bot_api.methods() == [
        "answerCallbackQuery",
        "editMessageText",
        "sendMessage",
    ]
    [edit] = bot_api.edits(customer_chat.chat_id)
    assert edit["message_id"] == question["message_id"]
    assert "Спасибо за оценку." in edit["text"]
    assert "reply_markup" not in edit  # the buttons go


def test_the_thanks_speak_the_contacts_language(
    telegram, customer, active_licence, reply, set_status, bot_api
) -> None:
    customer.language = "en"
    customer.save()
    chat = telegram(905, language="en")
    link(chat, customer)
    ticket = file_ticket(chat)
    reply(ticket, "Done")
    set_status(ticket, Ticket.Status.CLOSED)
    assert "How did we do?" in chat.last()["text"]

    chat.press(f"rate:{ticket.reference}:5", message_id=chat.last()["message_id"])

    [edit] = bot_api.edits(chat.chat_id)
    assert "Your rating: 5 of 5." in edit["text"]
    assert "Thank you for your rating." in edit["text"]


def test_a_second_press_is_refused_and_the_rating_kept(
    customer_chat, closed_ticket
) -> None:
    customer_chat.press(f"rate:{closed_ticket.reference}:2")

    customer_chat.press(f"rate:{closed_ticket.reference}:5")

    assert SatisfactionRating.objects.get(ticket=closed_ticket).score == 2
    assert customer_chat.last()["text"] == (
        f"{closed_ticket.reference}: Эта заявка уже оценена."
    )


def test_a_press_for_a_ticket_not_theirs_is_refused(
    customer_chat, outsider, reply, set_status
) -> None:
    other = open_ticket(
        contact=outsider,
        licence=LicenceFactory(
            organisation=outsider.membership.organisation, number="BETA-0001-BBBB-0001"
        ),
        subject="Чужая",
        description="Описание",
        category=Ticket.Category.OTHER,
    )
    reply(other, "Готово")
    set_status(other, Ticket.Status.CLOSED)

    customer_chat.press(f"rate:{other.reference}:1")

    assert not SatisfactionRating.objects.filter(ticket=other).exists()
    assert customer_chat.last()["text"] == (
        f"Среди ваших заявок нет заявки {other.reference}."
    )


def test_a_press_before_the_ticket_is_closed_is_refused(
    customer_chat, reply, set_status
) -> None:
    ticket = file_ticket(customer_chat)
    reply(ticket, "Готово")
    set_status(ticket, Ticket.Status.CLOSED)
    set_status(ticket, Ticket.Status.OPEN)

    customer_chat.press(f"rate:{ticket.reference}:5")

    assert not SatisfactionRating.objects.filter(ticket=ticket).exists()
    assert customer_chat.last()["text"] == (
        f"{ticket.reference}: Оценить заявку можно после её закрытия."
    )


def test_rating_does_not_end_a_ticket_being_filed(customer_chat, closed_ticket) -> None:
    customer_chat.press("new")
    customer_chat.send("Новая тема")

    customer_chat.press(f"rate:{closed_ticket.reference}:5")
    customer_chat.send("Описание новой")
    customer_chat.press("send")

    assert Ticket.objects.latest("pk").subject == "Новая тема"


def test_the_question_is_about_the_ticket(customer_chat, closed_ticket) -> None:
    row = OutgoingTelegramMessage.objects.get(
        telegram_message_id=customer_chat.last()["message_id"]
    )
    assert row.ticket == closed_ticket


def test_a_press_records_the_channel_and_the_next_text_is_the_comment(
    customer_chat, closed_ticket
) -> None:
    customer_chat.press(f"rate:{closed_ticket.reference}:3")
    invitation = customer_chat.last()

    customer_chat.send("Ответили не сразу")

    rating = SatisfactionRating.objects.get(ticket=closed_ticket)
    assert (rating.channel, rating.comment) == ("telegram", "Ответили не сразу")
    assert [
        [b["callback_data"] for b in row]
        for row in invitation["reply_markup"]["inline_keyboard"]
    ] == [["menu"]]
    closed_ticket.refresh_from_db()
    assert closed_ticket.status == Ticket.Status.CLOSED  # no message was added
    assert closed_ticket.messages.count() == 2


def test_replying_to_the_invitation_is_the_comment_too(
    customer_chat, closed_ticket
) -> None:
    customer_chat.press(f"rate:{closed_ticket.reference}:5")

    customer_chat.send("Спасибо!", reply_to=customer_chat.last()["message_id"])

    assert SatisfactionRating.objects.get(ticket=closed_ticket).comment == "Спасибо!"
    closed_ticket.refresh_from_db()
    assert closed_ticket.status == Ticket.Status.CLOSED


def test_skipping_leaves_the_rating_without_a_comment(
    customer_chat, closed_ticket
) -> None:
    customer_chat.press(f"rate:{closed_ticket.reference}:4")

    customer_chat.press("menu")
    customer_chat.send("Просто текст")

    assert SatisfactionRating.objects.get(ticket=closed_ticket).comment == ""


def test_an_unlinked_chat_rates_nothing(telegram, closed_ticket) -> None:
    stranger = telegram(905001)

    stranger.press(f"rate:{closed_ticket.reference}:1")

    assert not SatisfactionRating.objects.filter(ticket=closed_ticket).exists()
    # It only hears how to link the chat.
    assert "/tickets/telegram/" in stranger.last()["text"]


def test_a_rating_by_the_emails_link_stands_against_a_press(
    client, customer, customer_chat, closed_ticket
) -> None:
    token = rating_links.make_token(closed_ticket, score=2, user=customer)
    client.post(f"/tickets/rating/{token}/")

    customer_chat.press(f"rate:{closed_ticket.reference}:5")

    rating = SatisfactionRating.objects.get(ticket=closed_ticket)
    assert (rating.score, rating.channel) == (2, "email")
    assert customer_chat.last()["text"] == (
        f"{closed_ticket.reference}: Эта заявка уже оценена."
    )
