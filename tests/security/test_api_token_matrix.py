"""Every endpoint of the API × every kind of token × every method: no
answer is a server error, every refusal writes nothing, and no answer to a
token that may not see organisation A's ticket names it.

Generated from the URL configuration, as the session matrix is: an endpoint
added under `api:` is covered without a line here."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.timezone import now
from rest_framework.test import APIClient

from accounts.models import Membership
from api.models import ApiToken
from api.scopes import Scope
from api.services import create_integration, issue_token, revoke_token
from tests.factories import MembershipFactory
from tests.security.test_authorisation_matrix import _footprint, _our_url_names

METHODS = ("get", "post", "put", "patch", "delete")
REFUSED = {401, 403, 404, 405}


def _token(user, scopes, *, organisation=None, **changes) -> str:
    integration = create_integration(
        "Матрица", user=user, organisation_id=organisation.pk if organisation else None
    )
    token, text = issue_token(integration, scopes=scopes, by=user)
    if changes:
        ApiToken.objects.filter(pk=token.pk).update(**changes)
    return text


def _kinds(world) -> dict[str, str | None]:
    users = world["users"]
    staff = users["admin"]
    manager_b = MembershipFactory(
        organisation=users["member_b"].membership.organisation,
        role=Membership.Role.MANAGER,
    ).user
    expired = _token(staff, Scope.values)
    ApiToken.objects.filter(prefix=expired.split("_")[1]).update(
        expires_at=now() - datetime.timedelta(minutes=1)
    )
    revoked = _token(staff, Scope.values)
    revoke_token(ApiToken.objects.get(prefix=revoked.split("_")[1]))
    return {
        "none": None,
        "malformed": "hdk_short",
        "expired": expired,
        "revoked": revoked,
        # Every scope but those an endpoint needs is tried below.
        "other_organisations": _token(
            manager_b,
            [Scope.TICKETS_READ, Scope.TICKETS_WRITE],
            organisation=manager_b.membership.organisation,
        ),
    }


def _api_urls(world) -> list[tuple[str, str]]:
    names = sorted(n for n in _our_url_names() if n.startswith("api:"))
    return [
        (name, reverse(name, kwargs=world["kwargs"].get(name)))
        for name in names
        if name not in ("api:schema", "api:docs")
    ]


@pytest.mark.django_db
def test_no_token_but_a_valid_one_of_the_right_scope_and_owner_gets_in(world) -> None:
    client = APIClient()
    kinds = _kinds(world)
    ticket = world["ticket"]
    secret_words = (ticket.subject, ticket.reference, "secret of A")
    seen = []
    for name, url in _api_urls(world):
        for method in METHODS:
            for kind, text in kinds.items():
                headers = {"HTTP_AUTHORIZATION": f"Bearer {text}"} if text else {}
                before = _footprint(ticket)
                response = getattr(client, method)(url, {}, format="json", **headers)
                body = b"".join(response) if response.streaming else response.content
                where = f"{method.upper()} {name} with {kind}: {response.status_code}"
                seen.append(where)
                assert response.status_code < 500, where
                if kind in ("none", "malformed", "expired", "revoked"):
                    assert response.status_code == 401, where
                if response.status_code in REFUSED:
                    assert _footprint(ticket) == before, where
                if kind == "other_organisations":
                    text_body = body.decode(errors="replace")
                    assert not any(w in text_body for w in secret_words), where
    assert len(seen) == len(_api_urls(world)) * len(METHODS) * len(kinds)


@pytest.mark.django_db
def test_a_token_without_the_scope_an_endpoint_needs_is_refused(world) -> None:
    from django.urls import resolve

    client = APIClient()
    staff = world["users"]["admin"]
    ticket = world["ticket"]
    checked = 0
    for name, url in _api_urls(world):
        view = resolve(url).func.view_class
        for method, scope in view.required_scopes.items():
            others = [s for s in Scope.values if s != scope]
            text = _token(staff, others)
            before = _footprint(ticket)
            response = getattr(client, method.lower())(
                url, {}, format="json", HTTP_AUTHORIZATION=f"Bearer {text}"
            )
            assert response.status_code == 403, (name, method, response.status_code)
            assert _footprint(ticket) == before
            checked += 1
    assert checked >= 15
