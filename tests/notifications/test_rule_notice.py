"""An automation rule's "notify" action tells through the notifications."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tests.automation.conftest import rule
from tests.notifications.conftest import file

pytestmark = pytest.mark.django_db


def test_a_rules_notice_is_in_the_list_and_mailed(
    customer, active_licence, ivan, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    rule(
        "trigger",
        "Новая заявка VIP",
        event="created",
        actions=[{"kind": "notify", "user": ivan, "value": "Позвоните клиенту."}],
    )

    with django_capture_on_commit_callbacks(execute=True):
        ticket = file(customer, active_licence)

    notification = Notification.objects.get(recipient=ivan)
    assert notification.kind == Notification.Kind.RULE
    assert (notification.title, notification.text) == (
        "Новая заявка VIP",
        "Позвоните клиенту.",
    )
    (mail,) = [m for m in mailoutbox if m.to == [ivan.email]]
    assert mail.subject == f"[{ticket.reference}] Новая заявка VIP: {ticket.subject}"
    assert "Позвоните клиенту." in mail.body
