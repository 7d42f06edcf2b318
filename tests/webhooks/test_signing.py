"""Signatures as the Standard Webhooks specification says, checked by the
test's own implementation of it (tests/webhooks/conftest.py `verify`)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils.timezone import now

from tests.webhooks.conftest import verify
from webhooks import signing
from webhooks.models import SECRET_START, Endpoint, new_secret
from webhooks.services import rotate_secret

pytestmark = pytest.mark.django_db


def test_the_specification_s_own_example_verifies() -> None:
    # The example of standard-webhooks' reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    found = signing.sign(
        secret,
        message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=body,
    )
    assert found == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_headers_verify_and_a_changed_body_does_not() -> None:
    secret = new_secret()
    body = '{"type":"ticket.created","data":{"subject":"Привет"}}'.encode()
    headers = signing.headers(
        [secret], message_id="msg_1", timestamp=1700000000, body=body
    )

    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == "1700000000"
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b" ")
    assert not verify(new_secret(), headers, body)


def test_secrets_are_whsec_and_24_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith(SECRET_START)
    assert secret != new_secret()


def test_after_rotation_both_secrets_sign_until_the_overlap_ends(
    organisation_integration,
) -> None:
    endpoint = Endpoint.objects.create(
        integration=organisation_integration,
        url="https://ours.example/hook",
        event_types=["ticket.created"],
    )
    old = endpoint.secret

    endpoint = rotate_secret(endpoint)
    body = b"{}"
    during = signing.headers(
        endpoint.signing_secrets(), message_id="msg_2", timestamp=1, body=body
    )

    assert endpoint.secret != old
    assert len(during["webhook-signature"].split(" ")) == 2
    assert verify(old, during, body)
    assert verify(endpoint.secret, during, body)

    with time_machine.travel(now() + datetime.timedelta(hours=25)):
        after = signing.headers(
            endpoint.signing_secrets(), message_id="msg_2", timestamp=1, body=body
        )
    assert not verify(old, after, body)
    assert verify(endpoint.secret, after, body)
