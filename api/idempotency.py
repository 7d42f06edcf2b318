"""`Idempotency-Key` on every POST: a retry after a lost answer files no
second ticket and adds no second message.

The request runs in one transaction with its record: if it fails, neither
is kept and a retry runs it again; two requests with the same key at once
meet at the record's unique constraint, and the second returns the first's
answer once it has committed."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import IdempotentRequest

KEPT_FOR = datetime.timedelta(days=1)
MAX_KEY_LENGTH = 255


class KeyReused(APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was sent before with another request."


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str)
    text = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(handler: Callable) -> Callable:
    """Decorate an APIView's `post`."""

    @functools.wraps(handler)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({"Idempotency-Key": [_("At most 255 characters.")]})
        fingerprint = _fingerprint(request)
        earlier = _earlier(request, key)
        if earlier is None:
            try:
                with transaction.atomic():
                    response = handler(view, request, *args, **kwargs)
                    IdempotentRequest.objects.create(
                        token=request.auth,
                        key=key,
                        fingerprint=fingerprint,
                        status=response.status_code,
                        body=response.data,
                        location=response.get("Location", ""),
                    )
                    return response
            except IntegrityError:
                # The same key at the same moment: the other one won.
                earlier = _earlier(request, key)
                if earlier is None:
                    raise
        if earlier.fingerprint != fingerprint:
            raise KeyReused(
                _("This Idempotency-Key was sent before with another request.")
            )
        response = Response(earlier.body, status=earlier.status)
        if earlier.location:
            response["Location"] = earlier.location
        response["Idempotent-Replayed"] = "true"
        return response

    return wrapper


def _earlier(request: Request, key: str) -> IdempotentRequest | None:
    # Older ones are still honoured until the sweep deletes them.
    return IdempotentRequest.objects.filter(token=request.auth, key=key).first()


def forget_idempotent_requests() -> int:
    """Delete the records older than a day (beat)."""
    deleted, _rows = IdempotentRequest.objects.filter(
        created_at__lt=now() - KEPT_FOR
    ).delete()
    return deleted
