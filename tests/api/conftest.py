from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.models import Integration
from api.services import create_integration, issue_token

# The tickets' fixtures: a ticket with a file, SLA targets, media in a
# temporary directory.
from tests.tickets.conftest import _media_in_tmp, sla_targets, ticket  # noqa: F401


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def token_for(user, *scopes: str, organisation=None, **kwargs) -> str:
    integration = create_integration(
        "Мониторинг" if organisation else "Биллинг",
        user=user,
        organisation_id=organisation.pk if organisation else None,
    )
    _token, text = issue_token(integration, scopes=scopes, by=user, **kwargs)
    return text


@pytest.fixture
def staff_token(agent) -> str:
    return token_for(agent, "tickets:read", "tickets:write")


@pytest.fixture
def customer_token(customer, organisation) -> str:
    return token_for(customer, "tickets:read", organisation=organisation)


__all__ = ["Integration", "token_for"]
