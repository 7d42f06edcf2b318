"""The OpenAPI schema's additions: the public support-hours status, a plain
Django view (`schedule.views.status_api`) that answers thousands of requests a
second and so stays outside DRF, described here by hand."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from schedule.hours import Reason

_MOMENT = {"type": "string", "format": "date-time", "nullable": True}

SCHEDULE_STATUS = {
    "get": {
        "operationId": "schedule_status",
        "summary": _("Whether support is open now (or at `at`), and when that changes"),
        "tags": ["schedule"],
        "security": [],
        "parameters": [
            {
                "name": "at",
                "in": "query",
                "required": False,
                "description": _("An ISO 8601 instant with its offset; default: now."),
                "schema": {"type": "string", "format": "date-time"},
            }
        ],
        "responses": {
            "200": {
                "description": _("Open or closed, in Moscow time."),
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": [
                                "open",
                                "at",
                                "closes_at",
                                "opens_at",
                                "reason",
                            ],
                            "properties": {
                                "open": {"type": "boolean"},
                                "at": {"type": "string", "format": "date-time"},
                                "closes_at": _MOMENT,
                                "opens_at": _MOMENT,
                                "reason": {
                                    "type": "string",
                                    "enum": [reason.value for reason in Reason],
                                },
                            },
                        }
                    }
                },
            },
            "400": {
                "description": _("`at` is not an instant with an offset."),
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"error": {"type": "string"}},
                        }
                    }
                },
            },
        },
    }
}


def add_schedule_status(result: dict, generator, request, public) -> dict:
    """drf-spectacular's postprocessing hook."""
    result.setdefault("paths", {})["/api/schedule/status"] = _texts(SCHEDULE_STATUS)
    return result


PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": _("Each field's messages; the request's own under \"\"."),
            "additionalProperties": True,
        },
    },
}

# The problems any token-authenticated operation may answer with, and the
# ones only some do: the schema lists what a client must be ready for.
_ALWAYS = {
    "401": _("No valid token."),
    "403": _("The token's scopes or its user's rights do not allow it."),
    "429": _("Too many requests: wait as long as `Retry-After` says."),
}
_WITH_BODY = {
    "400": _("The request is not valid: see `errors`."),
    "409": _(
        "Another request changed the same thing at the same moment: send it again."
    ),
    "413": _("The request body is too large."),
    "415": _("The body is not JSON."),
    "422": _("A rule of the portal refused it (support ended, say)."),
}
_WITH_PATH = {"404": _("Not found, or not the token's to see.")}
_UPDATES = {"412": _("Changed since it was read (`If-Match`).")}


def add_problem_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular's postprocessing hook: every API operation documents
    the `application/problem+json` answers it may give."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _texts(
        PROBLEM
    )
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            problems = dict(_ALWAYS)
            if method in ("post", "put", "patch"):
                problems |= _WITH_BODY
            if method in ("put", "patch", "delete"):
                problems |= _UPDATES
            if "{" in path or method in ("put", "patch", "delete"):
                problems |= _WITH_PATH
            if method == "get" and "{" not in path:
                problems["400"] = _WITH_BODY["400"]
            if method in ("get", "head"):
                problems |= _NOT_MODIFIED
            responses = operation.setdefault("responses", {})
            for code, description in sorted(problems.items()):
                if code == "304":
                    responses.setdefault(code, {"description": str(description)})
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": str(description),
                        "content": {
                            "application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}
                            }
                        },
                    },
                )
    return result


_NOT_MODIFIED = {"304": _("Not modified: the `ETag` sent in `If-None-Match`.")}


def _texts(value):
    """The description in the request's language, as plain strings."""
    if isinstance(value, dict):
        return {key: _texts(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_texts(item) for item in value]
    if isinstance(value, Promise):
        return str(value)
    return value


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the schema tells a client to send its token."""

    target_class = "api.authentication.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "A token of an integration: `Authorization: Bearer hdk_…`."
            ),
        }
