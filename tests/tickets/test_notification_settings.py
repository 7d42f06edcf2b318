from __future__ import annotations

import pytest

from tickets.models import NotificationSettings

pytestmark = pytest.mark.django_db


def test_a_contact_turns_off_status_mails(client, customer) -> None:
    client.force_login(customer)
    assert client.get("/tickets/notifications/").status_code == 200

    client.post("/tickets/notifications/", {"on_reply": "on"})

    preferences = NotificationSettings.objects.get(user=customer)
    assert (preferences.on_reply, preferences.on_status_change) == (True, False)


def test_visitors_must_sign_in(client) -> None:
    assert client.get("/tickets/notifications/").status_code == 302
