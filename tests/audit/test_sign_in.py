from __future__ import annotations

import pytest
from django.core.cache import cache

from audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def test_a_sign_in_is_recorded_with_who_and_where(client, customer) -> None:
    client.post(
        "/accounts/login/",
        {"login": customer.email, "password": PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.ip_address) == (
        Action.SIGN_IN,
        customer,
        ADDRESS,
    )
    assert (entry.target_type, entry.target_id) == ("user", str(customer.pk))


def test_a_failed_sign_in_names_the_account_tried(client, customer) -> None:
    client.post(
        "/accounts/login/",
        {"login": customer.email, "password": "wrong"},
        REMOTE_ADDR=ADDRESS,
    )

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.ip_address) == (
        Action.SIGN_IN_FAILED,
        None,
        ADDRESS,
    )
    assert (entry.target_type, entry.target_id) == ("user", str(customer.pk))


def test_an_unknown_address_is_not_kept(client) -> None:
    client.post(
        "/accounts/login/",
        {"login": "nobody@example.com", "password": "wrong"},
        REMOTE_ADDR=ADDRESS,
    )

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.ip_address) == (Action.SIGN_IN_FAILED, ADDRESS)
    assert (entry.target_type, entry.target_id, entry.data) == ("", "", {})
    assert "nobody" not in str(AuditEntry.objects.values().get())


def test_signing_out_is_recorded(client, customer) -> None:
    client.force_login(customer)

    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)

    entry = AuditEntry.objects.get(action=Action.SIGN_OUT)
    assert (entry.action, entry.actor, entry.ip_address) == (
        Action.SIGN_OUT,
        customer,
        ADDRESS,
    )
