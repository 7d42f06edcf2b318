from __future__ import annotations

import datetime

import pytest

from accounts.models import Licence, SubscriptionPeriod, one_year_after
from accounts.services import AccountsError, register_licence, renew_subscription

pytestmark = pytest.mark.django_db


def test_one_year_after_ends_the_day_before_the_anniversary() -> None:
    assert one_year_after(datetime.date(2025, 3, 10)) == datetime.date(2026, 3, 9)
    assert one_year_after(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)
    assert one_year_after(datetime.date(2025, 1, 1), years=2) == datetime.date(
        2026, 12, 31
    )


def test_a_new_licence_comes_with_one_year_of_support(organisation) -> None:
    licence = register_licence(
        organisation,
        number="abcd-0000-efgh-1111",
        product="Helpdesk Server",
        purchased_on=datetime.date(2025, 3, 10),
    )

    assert licence.number == "ABCD-0000-EFGH-1111"
    period = licence.subscription_periods.get()
    assert period.kind == SubscriptionPeriod.Kind.INCLUDED
    assert licence.support_ends_on == datetime.date(2026, 3, 9)
    assert licence.subscription_active(on=datetime.date(2025, 3, 10))
    assert licence.subscription_active(on=datetime.date(2026, 3, 9))
    assert not licence.subscription_active(on=datetime.date(2026, 3, 10))
    assert not licence.subscription_active(on=datetime.date(2025, 3, 9))


def test_a_renewal_starts_where_the_last_period_ends(organisation) -> None:
    licence = register_licence(
        organisation,
        number="ABCD-0000-EFGH-2222",
        product="X",
        purchased_on=datetime.date(2025, 3, 10),
    )

    renewal = renew_subscription(licence, years=2, on=datetime.date(2026, 2, 1))

    assert renewal.starts_on == datetime.date(2026, 3, 10)
    assert renewal.ends_on == datetime.date(2028, 3, 9)
    licence = Licence.objects.with_periods().get(pk=licence.pk)
    assert licence.support_ends_on == datetime.date(2028, 3, 9)
    assert licence.subscription_periods.count() == 2  # the history stays


def test_a_renewal_after_a_lapse_starts_on_the_renewal_day(organisation) -> None:
    licence = register_licence(
        organisation,
        number="ABCD-0000-EFGH-3333",
        product="X",
        purchased_on=datetime.date(2024, 1, 15),
    )

    renewal = renew_subscription(licence, on=datetime.date(2025, 6, 1))

    assert renewal.starts_on == datetime.date(2025, 6, 1)
    assert not licence.subscription_active(on=datetime.date(2025, 5, 31))
    assert licence.subscription_active(on=datetime.date(2025, 6, 1))


def test_a_renewal_is_at_least_one_year(active_licence) -> None:
    with pytest.raises(AccountsError, match=r"one year or more|на год или больше"):
        renew_subscription(active_licence, years=0)


def test_a_licence_number_must_match_the_vendor_format(organisation) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        register_licence(
            organisation,
            number="12345",
            product="X",
            purchased_on=datetime.date(2025, 1, 1),
        )
