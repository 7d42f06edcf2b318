"""An account that was closed stays closed until someone entitled opens it.

Staff never come back through a customer flow (an access request, a
manager's invitation); a removed contact can no longer sign in or reset a
password; only an administrator reactivates staff, and it is recorded.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils.html import escape
from django.utils.timezone import now

from accounts.models import (
    AccessRequest,
    AccountEvent,
    Invitation,
    Membership,
    StaffRole,
    User,
)
from accounts.services import (
    AccountsError,
    approve_access_request,
    deactivate_account,
    invite_contact,
    reactivate_account,
    remove_contact,
    request_access,
)
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(email: str, *, tax_id: str, licence: str) -> AccessRequest:
    return request_access(
        AccessRequest(
            organisation_name="ООО «Альфа»",
            tax_id=tax_id,
            full_name="Кто-то",
            position="Инженер",
            email=email,
            phone="+79001234567",
            licence_number=licence,
        )
    )


def _invitations_in(mailoutbox) -> list[str]:
    return [m.to[0] for m in mailoutbox if "/invitation/" in m.body]


def _follow_invitation(client, email: str):
    invitation = Invitation.objects.usable().get(email=email)
    return client.post(f"/invitation/{invitation.token}/", {"consent": "on"})


def test_a_deactivated_agent_asking_for_access_waits_for_staff(
    agent, organisation, active_licence, mailoutbox
) -> None:
    deactivate_account(agent, by=UserFactory(is_staff=True))

    access_request = _request(
        agent.email, tax_id=organisation.tax_id, licence=active_licence.number
    )

    access_request.refresh_from_db()
    assert access_request.status == AccessRequest.Status.PENDING
    assert access_request.existing_account == agent
    assert _invitations_in(mailoutbox) == []
    assert not Invitation.objects.filter(email=agent.email).exists()
    assert "отключённой учётной записи сотрудника" in access_request.account_fact()


def test_approving_a_deactivated_agent_brings_back_a_contact_without_staff_rights(
    client, agent, admin_user, organisation, active_licence, mailoutbox
) -> None:
    deactivate_account(agent, by=admin_user)
    access_request = _request(
        agent.email, tax_id=organisation.tax_id, licence=active_licence.number
    )
    approve_access_request(access_request, by=admin_user, organisation=organisation)

    response = _follow_invitation(client, agent.email)

    assert response["Location"] == "/accounts/login/"
    agent.refresh_from_db()
    assert agent.is_active
    assert not agent.is_staff
    assert not agent.is_superuser
    assert not agent.groups.exists()
    assert agent.membership.organisation == organisation
    assert agent.membership.role == Membership.Role.MEMBER
    kinds = set(agent.account_events.values_list("kind", flat=True))
    assert {
        AccountEvent.Kind.DEACTIVATED,
        AccountEvent.Kind.PRIVILEGES_REMOVED,
        AccountEvent.Kind.RESTORED,
    } <= kinds
    sign_in(client, agent)
    assert client.get("/staff/queue/").status_code == 403


def test_an_invitation_made_before_the_fix_restores_no_staff_rights(
    client, agent, admin_user, organisation
) -> None:
    """The attack as it was: an invitation for a deactivated agent's address."""
    deactivate_account(agent, by=admin_user)
    Invitation.objects.create(
        token="old-token",
        email=agent.email,
        full_name="x",
        organisation=organisation,
        expires_at=now() + datetime.timedelta(days=1),
    )

    client.post("/invitation/old-token/", {"consent": "on"})

    agent.refresh_from_db()
    assert agent.is_active
    assert not agent.is_staff
    assert not agent.groups.filter(name=StaffRole.AGENT.value).exists()


def test_an_active_staff_address_cannot_be_approved(
    agent, admin_user, organisation, active_licence, mailoutbox
) -> None:
    access_request = _request(
        agent.email, tax_id=organisation.tax_id, licence=active_licence.number
    )
    assert access_request.status == AccessRequest.Status.PENDING

    with pytest.raises(AccountsError):
        approve_access_request(access_request, by=admin_user, organisation=organisation)

    assert _invitations_in(mailoutbox) == []


def test_a_managers_invitation_of_a_staff_address_goes_to_staff_review(
    agent, admin_user, customer, organisation, mailoutbox
) -> None:
    deactivate_account(agent, by=admin_user)

    invitation = invite_contact(
        organisation, email=agent.email, full_name="Бывший", invited_by=customer
    )

    assert invitation is None
    assert _invitations_in(mailoutbox) == []
    review = AccessRequest.objects.get(email=agent.email)
    assert review.status == AccessRequest.Status.PENDING
    assert review.existing_account == agent
    assert review.requested_by == customer
    assert review.organisation == organisation


def test_a_deactivated_manager_asking_for_access_waits_for_staff(
    customer, colleague, organisation, active_licence, mailoutbox
) -> None:
    remove_contact(customer.membership, by=colleague)

    access_request = _request(
        customer.email, tax_id=organisation.tax_id, licence=active_licence.number
    )

    assert access_request.status == AccessRequest.Status.PENDING
    assert access_request.existing_account == customer
    assert _invitations_in(mailoutbox) == []


def test_a_removed_member_asking_for_access_waits_for_staff(
    customer, colleague, organisation, active_licence, mailoutbox
) -> None:
    remove_contact(colleague.membership, by=customer)

    access_request = _request(
        colleague.email, tax_id=organisation.tax_id, licence=active_licence.number
    )

    assert access_request.status == AccessRequest.Status.PENDING
    assert _invitations_in(mailoutbox) == []


def test_a_manager_may_still_invite_back_a_member_they_removed(
    client, customer, colleague, organisation, mailoutbox
) -> None:
    remove_contact(colleague.membership, by=customer)

    invitation = invite_contact(
        organisation, email=colleague.email, full_name="x", invited_by=customer
    )
    client.post(f"/invitation/{invitation.token}/", {"consent": "on"})

    colleague.refresh_from_db()
    assert colleague.is_active
    assert colleague.membership.organisation == organisation


def test_a_manager_of_another_organisation_cannot_take_over_a_removed_contact(
    customer, colleague, outsider, mailoutbox
) -> None:
    remove_contact(colleague.membership, by=customer)
    Membership.objects.filter(user=outsider).update(role=Membership.Role.MANAGER)

    invitation = invite_contact(
        outsider.membership.organisation,
        email=colleague.email,
        full_name="x",
        invited_by=outsider,
    )

    assert invitation is None
    assert AccessRequest.objects.get(email=colleague.email).existing_account == (
        colleague
    )


def test_only_an_administrator_reactivates_staff_and_it_is_recorded(
    agent, supervisor, admin_user
) -> None:
    deactivate_account(agent, by=admin_user)

    with pytest.raises(AccountsError):
        reactivate_account(agent, by=supervisor)
    agent.refresh_from_db()
    assert not agent.is_active

    reactivate_account(agent, by=admin_user, note="Вернулся из отпуска")

    agent.refresh_from_db()
    assert agent.is_active
    assert agent.is_staff
    event = agent.account_events.get(kind=AccountEvent.Kind.REACTIVATED)
    assert event.by == admin_user
    assert event.note == "Вернулся из отпуска"


def test_the_admin_change_form_does_not_reactivate(client, agent, admin_user) -> None:
    deactivate_account(agent, by=admin_user)
    sign_in(client, admin_user)
    url = f"/admin/accounts/user/{agent.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "email": agent.email,
            "full_name": agent.full_name,
            "language": "ru",
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name=StaffRole.AGENT.value).pk],
            "account_events-TOTAL_FORMS": "0",
            "account_events-INITIAL_FORMS": "0",
        }
    )

    client.post(url, data)

    agent.refresh_from_db()
    assert not agent.is_active


def test_the_admin_action_reactivates_and_records_who(
    client, agent, admin_user
) -> None:
    deactivate_account(agent, by=admin_user)
    sign_in(client, admin_user)

    client.post(
        "/admin/accounts/user/",
        {"action": "reactivate", "_selected_action": [agent.pk]},
    )

    agent.refresh_from_db()
    assert agent.is_active
    assert agent.account_events.filter(
        kind=AccountEvent.Kind.REACTIVATED, by=admin_user
    ).exists()


def test_a_removed_contact_cannot_sign_in(client, customer, colleague) -> None:
    colleague.set_password("a-long-pass-phrase-2026")
    colleague.save()
    remove_contact(colleague.membership, by=customer)

    client.post(
        "/accounts/login/",
        {"login": colleague.email, "password": "a-long-pass-phrase-2026"},
    )

    assert "_auth_user_id" not in client.session


def test_a_contact_without_an_organisation_cannot_sign_in(client, colleague) -> None:
    colleague.set_password("a-long-pass-phrase-2026")
    colleague.save()
    Membership.objects.filter(user=colleague).delete()

    client.post(
        "/accounts/login/",
        {"login": colleague.email, "password": "a-long-pass-phrase-2026"},
    )

    assert "_auth_user_id" not in client.session


def test_a_session_ends_when_its_contact_is_removed(
    client, customer, colleague
) -> None:
    sign_in(client, colleague)
    assert client.get("/tickets/").status_code == 200

    remove_contact(colleague.membership, by=customer)

    response = client.get("/tickets/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_ends_when_its_contact_loses_the_organisation(
    client, colleague
) -> None:
    sign_in(client, colleague)
    Membership.objects.filter(user=colleague).delete()

    response = client.get("/tickets/")

    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("how", ["removed", "no_organisation"])
def test_no_password_reset_link_for_a_contact_who_may_not_act(
    client, customer, colleague, mailoutbox, how
) -> None:
    if how == "removed":
        remove_contact(colleague.membership, by=customer)
    else:
        Membership.objects.filter(user=colleague).delete()

    client.post("/accounts/password/reset/", {"email": colleague.email})

    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" not in mailoutbox[0].body


def test_a_contact_who_may_act_gets_a_reset_link(client, colleague, mailoutbox) -> None:
    client.post("/accounts/password/reset/", {"email": colleague.email})

    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_the_review_page_shows_whose_account_it_is(
    client, agent, admin_user, organisation, active_licence
) -> None:
    deactivate_account(agent, by=admin_user)
    access_request = _request(
        agent.email, tax_id=organisation.tax_id, licence=active_licence.number
    )
    sign_in(client, admin_user)

    page = client.get(f"/staff/access-requests/{access_request.code}/")

    assert page.status_code == 200
    assert escape(access_request.account_fact()) in page.content.decode()
    assert User.objects.get(pk=agent.pk).is_staff
