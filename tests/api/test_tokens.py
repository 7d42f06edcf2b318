"""Tokens: shown once, stored as a digest, each refusal the same 401, scopes
and the user's own rights both apply."""

from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import now

from api.models import ApiToken
from api.services import IntegrationError, create_integration, issue_token, revoke_token
from tests.api.conftest import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

TICKETS = "/api/v1/tickets/"


def _get(api, token: str | None, url: str = TICKETS, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return api.get(url, **headers)


def test_the_token_is_stored_as_a_digest_only(agent) -> None:
    text = token_for(agent, "tickets:read")
    token = ApiToken.objects.get()

    assert text.startswith(f"hdk_{token.prefix}_")
    assert text.split("_", 2)[2] not in token.digest
    assert len(token.digest) == 64


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer hdk_nonsense", "Basic dXNlcjpwYXNz", "Bearer a b"],
)
def test_no_token_or_a_malformed_one_is_refused_in_words(api, header) -> None:
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = api.get(TICKETS, HTTP_ACCEPT_LANGUAGE="en", **headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert body["status"] == 401
    assert body["title"] == "Authentication required"
    assert body["detail"]


def test_a_wrong_secret_revoked_or_expired_token_gets_the_same_answer(
    api, agent
) -> None:
    good = token_for(agent, "tickets:read")
    wrong = good[:-4] + ("aaaa" if not good.endswith("aaaa") else "bbbb")
    revoked = token_for(agent, "tickets:read")
    revoke_token(ApiToken.objects.get(prefix=revoked.split("_")[1]))
    expired = token_for(
        agent, "tickets:read", expires_at=now() + datetime.timedelta(seconds=1)
    )
    ApiToken.objects.filter(prefix=expired.split("_")[1]).update(
        expires_at=now() - datetime.timedelta(seconds=1)
    )

    answers = [_get(api, text).json()["detail"] for text in (wrong, revoked, expired)]

    assert _get(api, good).status_code == 200
    assert len(set(answers)) == 1


def test_a_deactivated_user_or_integration_stops_its_tokens(api, agent) -> None:
    text = token_for(agent, "tickets:read")
    assert _get(api, text).status_code == 200

    agent.is_active = False
    agent.save()

    assert _get(api, text).status_code == 401


def test_a_scope_not_held_is_forbidden_in_the_callers_language(api, agent) -> None:
    text = token_for(agent, "licences:write")

    response = _get(api, text, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 403
    assert response.json()["title"] == "Нет доступа"


def test_last_use_is_recorded(api, agent) -> None:
    text = token_for(agent, "tickets:read")
    _get(api, text)

    assert ApiToken.objects.get().last_used_at is not None


def test_an_organisations_integration_holds_ticket_scopes_only(
    customer, organisation
) -> None:
    integration = create_integration(
        "CRM", user=customer, organisation_id=organisation.pk
    )

    with pytest.raises(IntegrationError):
        issue_token(integration, scopes=["licences:write"], by=customer)


def test_only_the_organisations_manager_makes_its_integrations(
    colleague, organisation, other_organisation, customer
) -> None:
    with pytest.raises(IntegrationError):
        create_integration("X", user=colleague, organisation_id=organisation.pk)
    with pytest.raises(IntegrationError):
        create_integration("X", user=customer, organisation_id=other_organisation.pk)
    with pytest.raises(IntegrationError):
        create_integration("X", user=customer)
