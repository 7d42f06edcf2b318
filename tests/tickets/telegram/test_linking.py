"""Linking a chat: a one-time deep link from the contact's page; only linked chats are served."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.timezone import now

from accounts.models import Membership
from tests.auth import sign_in
from tests.tickets.telegram.conftest import file_ticket, link
from tickets.models import TelegramLink, TelegramLinkToken
from tickets.telegram import linking

pytestmark = pytest.mark.django_db

PAGE = "/tickets/telegram/"


def _deep_link_token(client) -> str:
    page = client.get(PAGE).content.decode()
    match = re.search(r"https://t\.me/helpdesk_test_bot\?start=([\w-]+)", page)
    assert match, page
    return match[1]


def test_the_page_offers_to_connect_and_then_shows_a_one_time_deep_link(
    client, bot_api, customer
) -> None:
    client.force_login(customer)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"?start=" not in page.content

    response = client.post(PAGE)

    assert response.status_code == 302
    token = _deep_link_token(client)
    stored = TelegramLinkToken.objects.get(user=customer)
    # Only a hash is stored: a database reader cannot link a chat with it.
    assert token not in stored.token_hash
    assert stored.expires_at > now()


def test_start_with_the_token_links_the_chat(telegram, customer) -> None:
    customer.language = "en"
    customer.save()
    chat = telegram(4242, first_name="Anna")
    token = linking.issue_token(customer)

    chat.send(f"/start {token}")

    link_row = TelegramLink.objects.get(user=customer)
    assert link_row.chat_id == 4242
    assert link_row.telegram_name == "Anna (@user4242)"
    assert "customer@alfa.example" in chat.last()["text"]
    assert "new" in chat.buttons()


def test_a_token_works_once(telegram, customer) -> None:
    token = linking.issue_token(customer)
    first, second = telegram(1), telegram(2, language="en")

    first.send(f"/start {token}")
    second.send(f"/start {token}")

    assert TelegramLink.objects.get(user=customer).chat_id == 1
    assert not TelegramLink.objects.filter(chat_id=2).exists()
    assert "expired or has already been used" in second.last()["text"]


def test_an_expired_token_links_nothing(telegram, customer) -> None:
    token = linking.issue_token(customer)
    TelegramLinkToken.objects.update(expires_at=now() - datetime.timedelta(seconds=1))
    chat = telegram(language="en")

    chat.send(f"/start {token}")

    assert not TelegramLink.objects.exists()
    assert "expired" in chat.last()["text"]


def test_a_new_token_voids_the_older_one(telegram, customer) -> None:
    older = linking.issue_token(customer)
    linking.issue_token(customer)
    chat = telegram()

    chat.send(f"/start {older}")

    assert not TelegramLink.objects.exists()


def test_an_unlinked_chat_files_and_reads_nothing(
    telegram, customer, active_licence, bot_api
) -> None:
    linked = telegram(1)
    link(linked, customer)
    ticket = file_ticket(linked, subject="Секретная тема")
    stranger = telegram(2, language="en")

    for step in ("/list", f"/show {ticket.reference}", "/new", "hello"):
        stranger.send(step)
    stranger.press(f"show:{ticket.reference}")

    answers = stranger.replies()
    assert len(answers) == 5
    assert all("not linked" in answer for answer in answers)
    assert all(ticket.reference not in answer for answer in answers)
    assert all("Секретная тема" not in answer for answer in answers)


def test_a_contact_who_lost_access_is_treated_as_unlinked(
    customer_chat, customer
) -> None:
    Membership.objects.filter(user=customer).delete()

    customer_chat.send("/list")

    assert not TelegramLink.objects.filter(user=customer).exists()
    assert "customer@alfa.example" in customer_chat.last()["text"]
    assert "show:" not in str(customer_chat.buttons())
    customer_chat.send("/list")
    assert "tickets/telegram/" in customer_chat.last()["text"]


def test_disconnecting_forgets_the_chat_and_tells_it(
    client, customer_chat, customer
) -> None:
    client.force_login(customer)

    response = client.post(reverse("tickets:telegram_disconnect"))

    assert response.status_code == 302
    assert not TelegramLink.objects.exists()
    assert "customer@alfa.example" in customer_chat.last()["text"]
    customer_chat.send("/list")
    assert "tickets/telegram/" in customer_chat.last()["text"]


def test_linking_another_account_replaces_the_chats_link(
    telegram, customer, colleague
) -> None:
    chat = telegram(1)
    link(chat, customer)

    link(chat, colleague)

    assert list(TelegramLink.objects.values_list("user", "chat_id")) == [
        (colleague.pk, 1)
    ]


def test_staff_have_no_telegram_page(client, bot_api, agent) -> None:
    sign_in(client, agent)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE).status_code == 403
    assert not TelegramLinkToken.objects.exists()


def test_without_a_bot_the_page_says_so_and_issues_no_token(
    client, customer, settings
) -> None:
    settings.TELEGRAM_BOT_TOKEN = ""
    client.force_login(customer)

    client.post(PAGE)

    assert not TelegramLinkToken.objects.exists()
    assert b"t.me/" not in client.get(PAGE).content


def test_an_administrator_sees_linked_chats_in_the_admin(
    client, customer_chat, admin_user, agent
) -> None:
    sign_in(client, admin_user)
    page = client.get("/admin/tickets/telegramlink/")
    assert page.status_code == 200
    assert "customer@alfa.example" in page.content.decode()

    sign_in(client, agent)
    assert client.get("/admin/tickets/telegramlink/").status_code == 403
