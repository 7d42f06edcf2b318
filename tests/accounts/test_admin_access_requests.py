"""The access request admin shows requests; staff decide them on the staff page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AccessRequest, Invitation
from tests.auth import sign_in
from tests.forms_on_pages import FormReader

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending() -> AccessRequest:
    return AccessRequest.objects.create(
        organisation_name="ООО «Новая»",
        tax_id="7707083893",
        full_name="Семён Новый",
        position="Инженер",
        email="semen@new.example",
        phone="+79123456789",
        licence_number="NEWW-0001-AAAA-0001",
    )


def test_the_change_form_cannot_approve_a_request(
    client, admin_user, pending, organisation
) -> None:
    sign_in(client, admin_user)
    url = reverse("admin:accounts_accessrequest_change", args=[pending.pk])
    page = client.get(url)
    assert page.status_code == 200
    reader = FormReader("accessrequest_form")
    reader.feed(page.content.decode())
    assert "csrfmiddlewaretoken" in reader.data  # the form was found

    client.post(
        url,
        {
            **reader.data,
            "status": AccessRequest.Status.APPROVED,
            "organisation": str(organisation.pk),
            "_save": "Save",
        },
    )

    pending.refresh_from_db()
    assert pending.status == AccessRequest.Status.PENDING
    assert pending.organisation is None
    assert pending.decided_at is None
    assert not Invitation.objects.exists()


def test_the_change_page_leads_to_the_staff_page_that_decides(
    client, admin_user, pending
) -> None:
    sign_in(client, admin_user)

    page = client.get(reverse("admin:accounts_accessrequest_change", args=[pending.pk]))

    assert f"/staff/access-requests/{pending.code}/" in page.content.decode()


def test_requests_are_not_added_in_the_admin(client, admin_user) -> None:
    sign_in(client, admin_user)

    assert client.get(reverse("admin:accounts_accessrequest_add")).status_code == 403
