"""A person's data as a ZIP: profile, the tickets they filed with messages
and history, their files; for supervisors and administrators only."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from accounts.models import CONSENT_VERSION
from audit.models import AuditEntry
from tests.auth import sign_in
from tests.privacy.conftest import EMAIL, NAME, PHONE

pytestmark = pytest.mark.django_db


def _url(user) -> str:
    return f"/admin/accounts/user/{user.pk}/export/"


def _archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("role", ["supervisor", "admin_user"])
def test_the_archive_holds_her_profile_tickets_and_files(
    client, role, request, world
) -> None:
    sign_in(client, request.getfixturevalue(role))

    response = client.get(_url(world.person))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"personal-data-{world.person.pk}.zip" in response["Content-Disposition"]
    archive = _archive(response)
    attachment_path = (
        f"attachments/{world.attachment.code}/{world.attachment.original_name}"
    )
    staff_path = (
        f"attachments/{world.staff_attachment.code}/"
        f"{world.staff_attachment.original_name}"
    )
    assert sorted(archive.namelist()) == sorted(
        ["profile.json", "tickets.json", attachment_path, staff_path]
    )

    profile = json.loads(archive.read("profile.json"))
    assert profile["account"]["email"] == EMAIL
    assert profile["account"]["full_name"] == NAME
    assert profile["account"]["phone"] == PHONE
    assert profile["memberships"] == [
        {
            "organisation": world.tickets[0].organisation.name,
            "tax_id": world.tickets[0].organisation.tax_id,
            "role": "member",
            "since": profile["memberships"][0]["since"],
        }
    ]
    assert profile["telegram"] is not None

    tickets = json.loads(archive.read("tickets.json"))
    assert sorted(t["reference"] for t in tickets) == sorted(
        t.reference for t in world.tickets
    )
    filed = next(t for t in tickets if t["reference"] == world.tickets[0].reference)
    texts = [m["text"] for m in filed["messages"]]
    assert any(NAME in text for text in texts)
    # Support's internal notes are not hers to read.
    assert not any("Подберёзкиной" in text for text in texts)
    assert all(m["kind"] != "internal_note" for m in filed["messages"])
    assert filed["history"]
    assert {a["path"] for m in filed["messages"] for a in m["attachments"]} == {
        attachment_path,
        staff_path,
    }

    assert archive.read(attachment_path) == b"%PDF-1.4 her scan"
    assert archive.read(staff_path) == b"steps"


def test_consents_are_in_the_profile(client, admin_user, customer) -> None:
    from accounts.models import Consent

    Consent.objects.create(
        user=customer,
        purpose=Consent.Purpose.SIGN_UP,
        version=CONSENT_VERSION,
        ip_address="198.51.100.9",
    )
    sign_in(client, admin_user)

    profile = json.loads(_archive(client.get(_url(customer))).read("profile.json"))

    assert [
        (c["purpose"], c["version"], c["ip_address"]) for c in profile["consents"]
    ] == [("sign_up", CONSENT_VERSION, "198.51.100.9")]


def test_agents_may_not_export(client, agent, customer) -> None:
    sign_in(client, agent)

    assert client.get(_url(customer)).status_code == 403


def test_the_export_is_read_only(client, admin_user, customer) -> None:
    sign_in(client, admin_user)

    assert client.post(_url(customer)).status_code == 405


def test_the_export_is_in_the_audit_log(client, admin_user, customer) -> None:
    sign_in(client, admin_user)

    assert "profile.json" in _archive(client.get(_url(customer))).namelist()

    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.target_id) == (admin_user, str(customer.pk))
    assert entry.data == {"export": "personal_data"}
