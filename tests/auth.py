"""Signing in test clients as the real login would leave the session."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)


def sign_in(client, user, *, second_factor: bool = True) -> None:
    """Log in; for staff, record the authenticator code allauth's login asks for."""
    client.force_login(user)
    if user.is_staff and second_factor:
        session = client.session
        now = time.time()
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
        session.save()


def current_totp_code() -> str:
    """The staff authenticator's code for now, as a phone would show it.

    Not in the last seconds of its 30-second window: a code typed then reaches
    the server in the next window, where it no longer counts."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from tests.conftest import STAFF_TOTP_SECRET

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(STAFF_TOTP_SECRET, int(time.time()) // 30))
