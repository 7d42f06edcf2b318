"""Errors as `application/problem+json` (RFC 9457), in the language of
`Accept-Language` (Django's locale middleware has chosen it): a title for the
kind of problem, a detail for this one, and for a form that did not pass, each
field's messages under `errors`."""

from __future__ import annotations

from django.db import IntegrityError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"

_TITLES = {
    400: lambda: _("The request is not valid"),
    401: lambda: _("Authentication required"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    406: lambda: _("Not acceptable"),
    409: lambda: _("Conflict"),
    412: lambda: _("The resource has changed"),
    413: lambda: _("The request is too large"),
    415: lambda: _("Unsupported media type"),
    422: lambda: _("The request cannot be processed"),
    428: lambda: _("A precondition is required"),
    429: lambda: _("Too many requests"),
}


def title(code: int) -> str:
    make = _TITLES.get(code)
    return make() if make else _("Error")


def problem(code: int, detail: str, **extra: object) -> dict[str, object]:
    return {
        "type": "about:blank",
        "title": title(code),
        "status": code,
        "detail": detail,
        **extra,
    }


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Another request changed the same thing at the same moment."


def handle_exception(exc: Exception, context: dict) -> Response | None:
    """DRF's exception handler, answering with a problem document."""
    if isinstance(exc, IntegrityError):
        # Two requests creating the same licence, organisation or contact at
        # once: the database's unique constraint let one through, and the
        # other, rolled back whole, may simply be sent again.
        exc = Conflict(
            _(
                "Another request changed the same thing at the same moment: send it again."
            )
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            response.status_code,
            _("Some fields are not valid: see errors."),
            errors=_field_errors(response.data),
        )
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else ""
        )
        body = problem(response.status_code, str(detail))
    response.data = body
    response.content_type = PROBLEM_TYPE
    return response


def _field_errors(data: object) -> object:
    """DRF's error structure with non-field errors under "" instead of
    "non_field_errors"."""
    if isinstance(data, dict):
        return {
            ("" if key == "non_field_errors" else key): _field_errors(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_field_errors(item) for item in data]
    return str(data)


def problem_response(code: int, detail: str) -> JsonResponse:
    """A problem document outside DRF's views (a 404 or 500 under /api/)."""
    return JsonResponse(problem(code, detail), status=code, content_type=PROBLEM_TYPE)


__all__ = ["PROBLEM_TYPE", "handle_exception", "problem", "problem_response", "status"]
