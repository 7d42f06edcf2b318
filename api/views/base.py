"""What every endpoint of `/api/v1/` shares: changes recorded as made
through the request's token, a cap on the body, ETags and `If-Match`."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk import audit

# A bulk upsert of 1,000 licences is about 300 KB.
MAX_BODY = 2 * 1024 * 1024
PAGE_SIZE = 50


class TooLarge(APIException):
    status_code = 413
    default_detail = "The request body is too large."


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = "The resource has changed since it was read."


class Unprocessable(APIException):
    """A rule of the portal refused the request (support ended, say)."""

    status_code = 422
    default_detail = "The request cannot be processed."


class ApiView(APIView):
    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > MAX_BODY:
            raise TooLarge(
                _("The request body is larger than %(size)d MB.")
                % {"size": MAX_BODY // (1024 * 1024)}
            )
        super().initial(request, *args, **kwargs)
        # Authenticated by now: what the request changes is recorded as made
        # through its token until the response is made.
        self.acting = contextlib.ExitStack()
        self.acting.enter_context(audit.acting_through(request.auth.label))

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            acting = getattr(self, "acting", None)
            if acting is not None:
                acting.close()


def etag_of(data: object) -> str:
    """A strong ETag of a representation: its JSON's digest."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def tagged(request: Request, data: object, status: int = 200) -> Response:
    """The representation with its ETag; 304 to a GET that has it already."""
    etag = etag_of(data)
    if request.method == "GET" and etag in _tags(request, "If-None-Match"):
        return Response(status=304, headers={"ETag": etag})
    return Response(data, status=status, headers={"ETag": etag})


def check_if_match(request: Request, current: object | None) -> None:
    """412 when `If-Match` names another version than the current one (or
    any version of a resource that does not exist); no header, no check."""
    tags = _tags(request, "If-Match")
    if not tags:
        return
    if current is None or ("*" not in tags and etag_of(current) not in tags):
        raise PreconditionFailed(
            _("The resource has changed since it was read: read it again.")
        )


def _tags(request: Request, header: str) -> set[str]:
    value = request.headers.get(header, "")
    return {tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip()}


def moment(text: str, name: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValidationError(
            {name: [_("A moment with its time zone, e.g. 2026-12-01T09:00:00+03:00.")]}
        )
    return value
