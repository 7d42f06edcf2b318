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
