"""Licences in the admin: registered with their year of support, then kept as registered."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin

from accounts.models import Licence, SubscriptionPeriod, one_year_after
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def test_a_licence_added_in_the_admin_comes_with_its_year_of_support(
    client, admin_user, organisation
) -> None:
    sign_in(client, admin_user)
    purchased_on = datetime.date(2026, 2, 10)

    response = client.post(
        "/admin/accounts/licence/add/",
        {
            "number": " alfa-0009-aaaa-0009 ",
            "organisation": organisation.pk,
            "product": "Helpdesk Server",
            "edition": "",
            "purchased_on": purchased_on.isoformat(),
            "seats": "",
            "scope": "",
            "subscription_periods-TOTAL_FORMS": "0",
            "subscription_periods-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    licence = Licence.objects.get()
    assert licence.number == "ALFA-0009-AAAA-0009"
    assert list(
        licence.subscription_periods.values_list("kind", "starts_on", "ends_on")
    ) == [
        (
            SubscriptionPeriod.Kind.INCLUDED,
            purchased_on,
            one_year_after(purchased_on),
        )
    ]


def test_a_registered_licence_keeps_its_number_organisation_and_periods(
    rf, admin_user, active_licence
) -> None:
    request = rf.get("/admin/accounts/licence/")
    request.user = admin_user
    model_admin = admin.site._registry[Licence]

    form = model_admin.get_form(request, active_licence)
    [periods] = [
        inline
        for inline in model_admin.get_inline_instances(request, active_licence)
        if inline.model is SubscriptionPeriod
    ]
    period_form = periods.get_formset(request, active_licence).form

    assert set(form.base_fields) == {"product", "edition", "seats", "scope"}
    assert not periods.has_add_permission(request, active_licence)
    assert set(period_form.base_fields) == set()
