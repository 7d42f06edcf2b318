"""An organisation's manager makes its integrations and tokens on the portal;
the token is shown once, works, and stops when revoked."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from api.models import ApiToken, Integration

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

PAGE = "/organisation/integrations/"


@pytest.fixture
def manager(customer) -> Client:
    client = Client()
    client.force_login(customer)
    return client


def test_a_manager_makes_an_integration_and_a_token_shown_once(
    manager, customer, ticket, api
) -> None:
    made = manager.post(PAGE, {"name": "Zabbix"})
    integration = Integration.objects.get()
    issued = manager.post(
        f"{PAGE}{integration.pk}/tokens/", {"scopes": ["tickets:read"]}
    )
    text = re.search(r'id="token-text">(hdk_[^<]+)<', issued.content.decode())[1]
    later = manager.get(PAGE).content.decode()
    listed = api.get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Bearer {text}")

    assert made.status_code == 302
    assert integration.user == customer
    assert integration.organisation_id == customer.membership.organisation_id
    assert text not in later
    assert str(ApiToken.objects.get()) in later
    assert [row["reference"] for row in listed.json()["results"]] == [ticket.reference]


def test_only_ticket_scopes_are_offered_and_accepted(manager) -> None:
    manager.post(PAGE, {"name": "CRM"})
    integration = Integration.objects.get()

    page = manager.get(PAGE).content.decode()
    refused = manager.post(
        f"{PAGE}{integration.pk}/tokens/", {"scopes": ["licences:write"]}
    )

    assert 'value="tickets:write"' in page
    assert 'value="licences:write"' not in page
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_at_once(manager, api) -> None:
    manager.post(PAGE, {"name": "CRM"})
    integration = Integration.objects.get()
    issued = manager.post(
        f"{PAGE}{integration.pk}/tokens/", {"scopes": ["tickets:read"]}
    )
    text = re.search(r'id="token-text">(hdk_[^<]+)<', issued.content.decode())[1]

    manager.post(f"{PAGE}tokens/{ApiToken.objects.get().pk}/revoke/")

    answer = api.get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert answer.status_code == 401


def test_another_organisations_integration_is_not_found(
    manager, other_organisation
) -> None:
    from tests.factories import MembershipFactory

    theirs = MembershipFactory(organisation=other_organisation, role="manager").user
    from api.services import create_integration

    integration = create_integration(
        "Чужая", user=theirs, organisation_id=other_organisation.pk
    )

    response = manager.post(
        f"{PAGE}{integration.pk}/tokens/", {"scopes": ["tickets:read"]}
    )

    assert response.status_code == 404
    assert not ApiToken.objects.exists()
