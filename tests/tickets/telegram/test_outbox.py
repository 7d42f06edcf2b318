"""The bot's outbox claims through the one outbox claim, keeping each chat's order."""

from __future__ import annotations

import pytest
import time_machine
from django.utils.timezone import now

from outbox.models import STALE_CLAIM
from tickets.models import OutgoingTelegramMessage
from tickets.telegram import outbox

pytestmark = pytest.mark.django_db

CHAT = 4242


@pytest.fixture
def calls(monkeypatch) -> list[dict]:
    made: list[dict] = []

    def call(method: str, **params: object) -> dict:
        made.append({"method": method, **params})
        return {"message_id": len(made)}

    monkeypatch.setattr(outbox.bot_api, "call", call)
    return made


def test_a_chat_is_sent_in_order_and_once(calls) -> None:
    outbox.queue(CHAT, "первое")
    outbox.queue(CHAT, "второе")

    assert outbox.send_chat(CHAT) == 2
    assert outbox.send_chat(CHAT) == 0

    assert [c["text"] for c in calls] == ["первое", "второе"]
    rows = list(OutgoingTelegramMessage.objects.order_by("pk"))
    assert [r.telegram_message_id for r in rows] == [1, 2]
    assert [r.attempts for r in rows] == [1, 1]


def test_a_row_another_worker_holds_waits_until_its_claim_is_stale(calls) -> None:
    row = outbox.queue(CHAT, "первое")
    outbox.queue(CHAT, "второе")
    assert OutgoingTelegramMessage.objects.claim(row.pk)  # a worker that then died

    assert outbox.send_chat(CHAT) == 0  # the chat's order holds: nothing overtakes
    assert calls == []

    with time_machine.travel(now() + STALE_CLAIM + STALE_CLAIM / 10):
        assert outbox.send_unsent() == 2

    assert [c["text"] for c in calls] == ["первое", "второе"]
    assert OutgoingTelegramMessage.objects.get(pk=row.pk).attempts == 2
