from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
)

from audit.models import AuditEntry
from tests.auth import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
ADDRESS = "198.51.100.4"


def _entries(action: str) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(action=action)
        .order_by("data__type")
        .values_list("actor", "target_id", "ip_address", "data__type")
    )


def test_adding_and_removing_an_authenticator_is_recorded(
    client, agent_without_two_factor, django_capture_on_commit_callbacks
) -> None:
    user = agent_without_two_factor
    sign_in(client, user)
    # Changing one's second factor asks for the password again.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/activate/", {"code": code}, REMOTE_ADDR=ADDRESS)

    # The app and the recovery codes allauth makes with it.
    me = (user.pk, str(user.pk), ADDRESS)
    assert _entries(Action.SECOND_FACTOR_ADDED) == [
        (*me, "recovery_codes"),
        (*me, "totp"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/recovery-codes/generate/", REMOTE_ADDR=ADDRESS)
    assert _entries(Action.RECOVERY_CODES_REGENERATED) == [(*me, "recovery_codes")]

    client.post("/accounts/2fa/totp/deactivate/", REMOTE_ADDR=ADDRESS)
    assert _entries(Action.SECOND_FACTOR_REMOVED) == [
        (*me, "recovery_codes"),
        (*me, "totp"),
    ]


def test_a_refused_code_is_recorded_against_the_account(client, agent) -> None:
    client.post(
        "/accounts/login/",
        {"login": agent.email, "password": PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )

    client.post("/accounts/2fa/authenticate/", {"code": "000000"}, REMOTE_ADDR=ADDRESS)

    assert _entries(Action.SECOND_FACTOR_FAILED) == [
        (None, str(agent.pk), ADDRESS, "totp")
    ]
    assert not AuditEntry.objects.filter(action=Action.SIGN_IN).exists()
