"""Erasure from the admin: a confirmation page with the address typed,
administrators only."""

from __future__ import annotations

import pytest

from accounts.models import AccountEvent, User
from audit.models import AuditEntry
from privacy.services import erased_email
from tests.auth import sign_in
from tests.privacy.conftest import EMAIL

pytestmark = pytest.mark.django_db


def _input(html: str, name: str) -> str:
    at = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, at) : html.index(">", at) + 1]


def _url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/erase/"


def test_the_user_page_offers_export_and_erasure_to_an_administrator(
    client, admin_user, colleague
) -> None:
    sign_in(client, admin_user)

    html = client.get(f"/admin/accounts/user/{colleague.pk}/change/").text

    assert 'id="export-personal-data"' in html
    assert 'id="erase-personal-data"' in html


def test_a_wrong_address_erases_nothing_and_keeps_the_choice(
    client, admin_user, world
) -> None:
    sign_in(client, admin_user)

    response = client.post(
        _url(world.person),
        {"confirmation": "someone@alfa.example", "remove_attachments": "on"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["confirmation"]
    assert 'value="someone@alfa.example"' in response.text
    assert "checked" in _input(response.text, "remove_attachments")
    assert User.objects.get(pk=world.person.pk).email == EMAIL


def test_the_typed_address_erases_and_it_is_recorded(client, admin_user, world) -> None:
    sign_in(client, admin_user)
    assert client.get(_url(world.person)).status_code == 200

    response = client.post(_url(world.person), {"confirmation": EMAIL.upper()})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{world.person.pk}/change/"
    person = User.objects.get(pk=world.person.pk)
    assert person.email == erased_email(person)
    assert person.account_events.get(kind=AccountEvent.Kind.ERASED).by == admin_user
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ANONYMISED)
    assert (entry.actor, entry.target_id) == (admin_user, str(person.pk))


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_administrators_erase(client, role, request, colleague) -> None:
    sign_in(client, request.getfixturevalue(role))

    get = client.get(_url(colleague))
    post = client.post(_url(colleague), {"confirmation": colleague.email})

    assert get.status_code == post.status_code == 403
    assert User.objects.get(pk=colleague.pk).email == colleague.email


def test_a_staff_account_is_refused_with_a_reason(client, admin_user, agent) -> None:
    sign_in(client, admin_user)

    response = client.post(_url(agent), {"confirmation": agent.email})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert User.objects.get(pk=agent.pk).email == agent.email


def test_the_action_leads_to_the_confirmation_of_one_person(
    client, admin_user, colleague, customer
) -> None:
    sign_in(client, admin_user)

    one = client.post(
        "/admin/accounts/user/",
        {"action": "erase_personal_data", "_selected_action": [colleague.pk]},
    )
    two = client.post(
        "/admin/accounts/user/",
        {
            "action": "erase_personal_data",
            "_selected_action": [colleague.pk, customer.pk],
        },
    )

    assert one.status_code == 302
    assert one["Location"] == _url(colleague)
    assert two.status_code == 302
    assert two["Location"] == "/admin/accounts/user/"
