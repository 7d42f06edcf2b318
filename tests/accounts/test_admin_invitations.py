"""Invitations in the admin: sent and used by the services, revoked by an action."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.utils.timezone import now

from accounts.models import Invitation, Membership
from accounts.services import invite_contact
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

URL = "/admin/accounts/invitation/"


@pytest.fixture
def invitation(organisation) -> Invitation:
    return invite_contact(
        organisation,
        email="new@alfa.example",
        full_name="Новый Контакт",
        role=Membership.Role.MEMBER,
    )


def test_revoking_stops_the_link(client, admin_user, invitation) -> None:
    sign_in(client, admin_user)

    client.post(URL, {"action": "revoke", "_selected_action": [invitation.pk]})

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not Invitation.objects.usable().exists()
    assert client.get(f"/invitation/{invitation.token}/").status_code == 404


def test_a_used_invitation_is_not_revoked(client, admin_user, invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now())
    sign_in(client, admin_user)

    response = client.post(
        URL, {"action": "revoke", "_selected_action": [invitation.pk]}, follow=True
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert any("new@alfa.example" in str(m) for m in response.context["messages"])


def test_a_sent_invitation_keeps_its_address_organisation_and_role(
    rf, admin_user, invitation
) -> None:
    request = rf.get(URL)
    request.user = admin_user

    form = admin.site._registry[Invitation].get_form(request, invitation)

    assert set(form.base_fields) == {
        "full_name",
        "position",
        "phone",
        "language",
        "expires_at",
    }
    assert admin.site._registry[Invitation].has_add_permission(request) is False
