"""Property-based tests of the API against its own OpenAPI schema
(Schemathesis): for requests generated from the schema, valid and not, no
answer is a server error, and every answer has a status, a content type and
a body the schema documents.

Bounded: a few examples an operation, so it runs in seconds in `make test`;
`SCHEMATHESIS_EXAMPLES=500` runs a longer search."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import AccessRequest
from api.scopes import Scope
from tests.api.conftest import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(public=True))
schema.app = get_wsgi_application()
schema.location = "/api/v1/schema/"
# The public support-hours status is tested on its own (tests/schedule).
schema = schema.exclude(path="/api/schedule/status")


@pytest.fixture(autouse=True)
def _connection_kept_across_requests():
    # The WSGI handler closes the database connection after each request,
    # which would end the test's transaction; Django's test client keeps it
    # open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def full_token(admin_user, ticket, active_licence) -> str:
    AccessRequest.objects.create(
        organisation_name="ООО «Заявитель»",
        full_name="Заявитель",
        position="Инженер",
        email="applicant@example.com",
        phone="+74951234567",
        licence_number=active_licence.number,
    )
    return token_for(admin_user, *Scope.values)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, full_token) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {full_token}"},
        checks=[
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
