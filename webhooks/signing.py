"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the
signature is HMAC-SHA256 with the secret's bytes (base64 after `whsec_`),
base64-encoded and prefixed `v1,`. Several signatures, one per valid secret,
are separated by spaces in one `webhook-signature` header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from webhooks.models import SECRET_START


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_START))
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    secrets: Iterable[str], *, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret, message_id=message_id, timestamp=timestamp, body=body)
            for secret in secrets
        ),
    }
