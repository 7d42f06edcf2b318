from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Licence, Organisation
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def test_a_contact_sees_only_their_organisation(
    customer, outsider, organisation, other_organisation
) -> None:
    assert list(Organisation.objects.visible_to(customer)) == [organisation]
    assert list(Organisation.objects.visible_to(outsider)) == [other_organisation]


def test_a_contact_sees_only_their_organisations_licences(
    customer, outsider, active_licence, other_organisation
) -> None:
    foreign = LicenceFactory(organisation=other_organisation)

    assert list(Licence.objects.visible_to(customer)) == [active_licence]
    assert list(Licence.objects.visible_to(outsider)) == [foreign]


def test_staff_see_every_licence(agent, active_licence, other_organisation) -> None:
    foreign = LicenceFactory(organisation=other_organisation)

    assert set(Licence.objects.visible_to(agent)) == {active_licence, foreign}


def test_anonymous_visitors_and_users_without_organisation_see_nothing(
    active_licence,
) -> None:
    from tests.factories import UserFactory

    assert not Licence.objects.visible_to(AnonymousUser()).exists()
    assert not Licence.objects.visible_to(UserFactory()).exists()
