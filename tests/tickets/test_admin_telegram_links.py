"""Unlinking a chat in the admin goes through `linking.unlink`: the chat is told."""

from __future__ import annotations

import pytest

from tests.auth import sign_in
from tickets.models import OutgoingTelegramMessage, TelegramLink

pytestmark = pytest.mark.django_db

URL = "/admin/tickets/telegramlink/"


@pytest.mark.parametrize("how", ["page", "action"])
def test_deleting_a_link_unlinks_and_tells_the_chat(
    client, settings, admin_user, customer, how
) -> None:
    settings.TELEGRAM_BOT_TOKEN = "123:test"
    link = TelegramLink.objects.create(user=customer, chat_id=4242, telegram_name="a")
    sign_in(client, admin_user)

    if how == "page":
        client.post(f"{URL}{link.pk}/delete/", {"post": "yes"})
    else:
        client.post(
            URL,
            {"action": "delete_selected", "_selected_action": [link.pk], "post": "yes"},
        )

    assert not TelegramLink.objects.exists()
    [told] = OutgoingTelegramMessage.objects.filter(chat_id=4242)
    assert customer.email in told.payload["text"]
