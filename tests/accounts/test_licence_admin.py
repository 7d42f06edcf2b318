from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import localdate

from tests.auth import sign_in
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db

URL = "/admin/accounts/licence/"


@pytest.fixture
def licences(organisation):
    today = localdate()
    return {
        "active": LicenceFactory(
            organisation=organisation, number="ACTV-0001-AAAA-0001"
        ),
        "expiring": LicenceFactory(
            organisation=organisation,
            number="EXPG-0001-AAAA-0001",
            purchased_on=today.replace(year=today.year - 1)
            + datetime.timedelta(days=10),
        ),
        "expired": LicenceFactory(
            organisation=organisation,
            number="EXPD-0001-AAAA-0001",
            purchased_on=today - datetime.timedelta(days=400),
        ),
    }


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("active", {"active", "expiring"}),
        ("expiring", {"expiring"}),
        ("expired", {"expired"}),
    ],
)
def test_the_support_filter(client, admin_user, licences, value, shown) -> None:
    sign_in(client, admin_user)

    text = client.get(URL, {"support": value}).content.decode()

    assert {
        name for name, licence in licences.items() if licence.number in text
    } == shown


def test_renew_for_n_years_asks_then_renews(client, admin_user, licences) -> None:
    sign_in(client, admin_user)
    expired = licences["expired"]
    selected = {"action": "renew", "_selected_action": [expired.pk]}

    confirm = client.post(URL, selected)
    assert confirm.status_code == 200
    assert expired.number in confirm.content.decode()

    response = client.post(URL, {**selected, "apply": "1", "years": "2"})

    assert response.status_code == 302
    renewal = expired.subscription_periods.latest("starts_on")
    assert renewal.starts_on == localdate()
    assert renewal.ends_on == localdate().replace(
        year=localdate().year + 2
    ) - datetime.timedelta(days=1)


def test_agents_may_look_but_not_renew(client, agent, licences) -> None:
    sign_in(client, agent)

    assert client.get(URL).status_code == 200
    client.post(
        URL,
        {
            "action": "renew",
            "_selected_action": [licences["expired"].pk],
            "apply": "1",
            "years": "1",
        },
    )

    assert licences["expired"].subscription_periods.count() == 1
