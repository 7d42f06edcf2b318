"""The API's documentation page: the OpenAPI schema drawn as one of the
portal's own pages (its header, languages, phone layout and accessibility),
not a third-party viewer. The machine-readable schema is at `/api/v1/schema/`."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

from api.scopes import Scope

METHODS = ("get", "post", "put", "patch", "delete")


@functools.lru_cache(maxsize=8)
def _schema(language: str) -> dict:
    # Generating the schema walks every view: once per process and language.
    return SchemaGenerator().get_schema(request=None, public=True)


def _type(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"[{_type(schema.get('items', {}))}]"
    kind = schema.get("format") or schema.get("type", "")
    if "enum" in schema:
        kind = f"{kind}: {', '.join(map(str, schema['enum']))}"
    return kind


def operations(schema: dict) -> list[dict]:
    """Each path and method, its parameters and answers, for the page."""
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            found.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "public": operation.get("security") == [],
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "type": _type(parameter.get("schema", {})),
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "code": code,
                            "description": answer.get("description", ""),
                            "type": ", ".join(
                                f"{media}: {_type(body.get('schema', {}))}"
                                for media, body in answer.get("content", {}).items()
                            ),
                        }
                        for code, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


@login_not_required
@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    schema = _schema(get_language())
    return render(
        request,
        "api/docs.html",
        {
            "operations": operations(schema),
            "scopes": Scope.choices,
            "schemas": sorted(schema.get("components", {}).get("schemas", {})),
        },
    )
