from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.auth import sign_in
from tests.security.test_authorisation_matrix import EXPECTED, NO_METHOD, OK, REDIRECT
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# Who may POST to each URL, to show that even they are refused without the token.
POSTERS = {"manager_a", "agent", "anonymous"}


def _state_changing_cases() -> list[tuple[str, str]]:
    cases = []
    for name, (_get, post) in sorted(EXPECTED.items()):
        for role in ("anonymous", "manager_a", "agent"):
            if post[role] in (OK, REDIRECT) and post[role] != NO_METHOD:
                cases.append((name, role))
                break
    return cases


@pytest.mark.parametrize(("name", "role"), _state_changing_cases())
def test_every_post_without_the_csrf_token_is_refused(world, name, role) -> None:
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        sign_in(client, world["users"][role])

    response = client.post(reverse(name, kwargs=world["kwargs"].get(name)), {})

    assert response.status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_leads_only_to_this_site(client, customer, target) -> None:
    login = client.post(
        f"/accounts/login/?next={target}",
        {"login": customer.email, "password": "correct-horse-battery"},
    )
    language = client.post("/i18n/setlang/", {"language": "en", "next": target})

    for response in (login, language):
        assert response.status_code == 302
        assert response["Location"].startswith("/"), response["Location"]
        assert not response["Location"].startswith(("//", "/\\"))


def test_extra_fields_when_filing_are_ignored(
    client, customer, active_licence, other_organisation, agent
) -> None:
    client.force_login(customer)

    client.post(
        "/tickets/new/",
        {
            "licence": active_licence.pk,
            "subject": "S",
            "description": "D",
            "category": "other",
            "priority": "low",
            "contact_email": customer.email,
            "organisation": other_organisation.pk,
            "status": "closed",
            "assignee": agent.pk,
            "is_staff": "on",
        },
    )

    ticket = Ticket.objects.get()
    assert (ticket.organisation, ticket.status, ticket.assignee) == (
        active_licence.organisation,
        "new",
        None,
    )
    customer.refresh_from_db()
    assert not customer.is_staff


@pytest.mark.parametrize("path", ["/", "/tickets/", "/support-hours/", "/access/"])
def test_every_page_sends_the_security_headers(client, customer, path) -> None:
    client.force_login(customer)

    response = client.get(path)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_downloads_are_sandboxed(client, customer, world) -> None:
    client.force_login(customer)
    url = reverse("tickets:attachment", kwargs=world["kwargs"]["tickets:attachment"])

    response = client.get(url)
    b"".join(response.streaming_content)

    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment")
