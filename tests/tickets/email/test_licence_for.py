from __future__ import annotations

import pytest

from tests.factories import LicenceFactory
from tickets.email.incoming import licence_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_licence(organisation):
    return LicenceFactory(organisation=organisation, number="ALFA-0003-AAAA-0003")


def test_a_licence_named_in_any_case_is_the_tickets(
    customer, active_licence, second_licence
) -> None:
    text = "Тема\nПо лицензии alfa-0003-aaaa-0003 не работает вход."

    assert licence_for(customer.membership, text) == (second_licence, "")


def test_without_a_named_licence_staff_choose_among_several(
    customer, active_licence, second_licence
) -> None:
    assert licence_for(customer.membership, "Не работает вход.") == (
        None,
        "choose_licence",
    )


def test_a_lapsed_licence_named_is_not_replaced_by_another(
    customer, active_licence, lapsed_licence
) -> None:
    text = f"Лицензия {lapsed_licence.number.lower()}"

    assert licence_for(customer.membership, text) == (None, "no_active_subscription")
