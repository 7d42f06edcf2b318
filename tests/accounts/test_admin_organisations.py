"""An organisation's contacts in the admin: their role only, never who belongs where."""

from __future__ import annotations

import pytest
from django.contrib import admin

from accounts.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def test_contacts_are_not_added_removed_or_swapped_here(
    rf, admin_user, organisation, customer
) -> None:
    request = rf.get("/admin/accounts/organisation/")
    request.user = admin_user
    model_admin = admin.site._registry[Organisation]
    [memberships] = [
        inline
        for inline in model_admin.get_inline_instances(request, organisation)
        if inline.model is Membership
    ]

    formset = memberships.get_formset(request, organisation)

    assert not memberships.has_add_permission(request, organisation)
    assert not formset.can_delete
    assert set(formset.form.base_fields) == {"role"}
