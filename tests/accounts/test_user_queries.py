from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import Membership, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def former_colleague(organisation) -> User:
    """A removed contact: deactivated, the membership kept for the history."""
    user = MembershipFactory(
        organisation=organisation, user__email="former@alfa.example"
    ).user
    user.is_active = False
    user.save()
    return user


def test_active_staff_are_active_staff_accounts_only(
    agent, supervisor, customer
) -> None:
    retired = UserFactory(email="retired@support.example", is_staff=True)
    retired.is_active = False
    retired.save()

    assert set(User.objects.active_staff()) == {agent, supervisor}


def test_contacts_are_active_accounts_of_any_organisation(
    customer, colleague, outsider, former_colleague, agent
) -> None:
    UserFactory(email="no-organisation@example.com")

    assert set(User.objects.contacts()) == {customer, colleague, outsider}


def test_contacts_of_an_organisation_are_its_active_members(
    organisation, customer, colleague, outsider, former_colleague, agent
) -> None:
    assert set(User.objects.contacts_of(organisation.pk)) == {customer, colleague}


def test_colleagues_are_the_other_contacts_of_the_same_organisation(
    customer, colleague, outsider, former_colleague
) -> None:
    assert list(User.objects.colleagues_of(customer)) == [colleague]
    assert list(User.objects.colleagues_of(colleague)) == [customer]
    assert list(User.objects.colleagues_of(outsider)) == []


def test_staff_and_accounts_without_an_organisation_have_no_colleagues(
    agent, customer
) -> None:
    assert list(User.objects.colleagues_of(agent)) == []


def test_the_queries_chain(organisation, customer, colleague) -> None:
    managers = User.objects.contacts_of(organisation.pk).filter(
        membership__role=Membership.Role.MANAGER
    )

    assert list(managers) == [customer]


def test_membership_or_none_is_the_users_membership(customer, agent) -> None:
    fresh = User.objects.get(pk=customer.pk)

    assert fresh.membership_or_none == Membership.objects.get(user=customer)
    assert User.objects.get(pk=agent.pk).membership_or_none is None


def test_a_manager_removes_only_a_contact_of_their_organisation(
    client, customer, colleague, outsider, former_colleague
) -> None:
    client.force_login(customer)

    assert (
        client.post(f"/organisation/contacts/{outsider.pk}/remove/").status_code == 404
    )
    assert (
        client.post(f"/organisation/contacts/{former_colleague.pk}/remove/").status_code
        == 404
    )
    client.post(f"/organisation/contacts/{colleague.pk}/remove/")

    colleague.refresh_from_db()
    assert not colleague.is_active


def test_the_contacts_page_lists_active_contacts_with_their_roles(
    client, customer, colleague, former_colleague
) -> None:
    client.force_login(customer)

    text = client.get("/organisation/contacts/").content.decode()

    assert colleague.email in text
    assert former_colleague.email not in text
    with translation.override("ru"):
        roles = [str(role.label) for role in Membership.Role]
    assert all(role in text for role in roles)
