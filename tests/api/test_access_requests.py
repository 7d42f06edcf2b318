"""Access requests, read by the vendor's CRM with its own scope."""

from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import now

from accounts.models import AccessRequest
from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db


def _request(n: int, **fields) -> AccessRequest:
    return AccessRequest.objects.create(
        organisation_name=f"ООО «Заявитель {n}»",
        full_name=f"Заявитель {n}",
        position="Инженер",
        email=f"applicant{n}@example.com",
        phone="+74951234567",
        licence_number="ABCD-0000-0000-0001",
        created_at=now() - datetime.timedelta(minutes=n),
        **fields,
    )


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_pages_newest_first_with_a_cursor_and_filters(api, admin_user) -> None:
    for n in range(60):
        _request(n, status="declined" if n % 3 == 0 else "pending")
    token = token_for(admin_user, "access_requests:read")

    first = api.get("/api/v1/access-requests/", **_auth(token)).json()
    second = api.get(
        "/api/v1/access-requests/", {"after": first["next"]}, **_auth(token)
    ).json()
    declined = api.get(
        "/api/v1/access-requests/", {"status": "declined"}, **_auth(token)
    ).json()

    emails = [r["email"] for r in first["results"] + second["results"]]
    assert emails == [f"applicant{n}@example.com" for n in range(60)]
    assert second["next"] is None
    assert len(declined["results"]) == 20
    one = api.get(
        f"/api/v1/access-requests/{first['results'][0]['id']}/", **_auth(token)
    )
    assert one.json()["phone"] == first["results"][0]["phone"]


def test_only_its_scope_reads_them(api, admin_user, customer, organisation) -> None:
    _request(1)
    crm = token_for(admin_user, "contacts:write")

    answer = api.get("/api/v1/access-requests/", **_auth(crm))

    assert answer.status_code == 403
