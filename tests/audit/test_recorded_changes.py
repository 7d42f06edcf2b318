"""Each change the audit log covers writes exactly one entry, naming who,
what and from where."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils.timezone import localdate

from accounts.models import Licence, Membership, StaffRole
from accounts.services import deactivate_account, reactivate_account, upsert_contact
from api.models import ApiToken
from api.services import create_integration
from audit.models import AuditEntry
from tests.auth import sign_in
from tests.factories import LicenceFactory
from tests.forms_on_pages import FormReader
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
ADDRESS = "192.0.2.10"


def _only(action: str) -> AuditEntry:
    """The one entry of this kind, besides the sign-ins the tests make."""
    [entry] = AuditEntry.objects.filter(action=action)
    return entry


def _where(entry: AuditEntry) -> tuple:
    return (entry.actor, entry.target_type, entry.target_id, entry.ip_address)


def test_a_contacts_role_changed_through_the_service(
    admin_user, organisation, colleague
) -> None:
    upsert_contact(
        colleague.email,
        organisation=organisation,
        full_name=colleague.full_name,
        role=Membership.Role.MANAGER,
        by=admin_user,
    )

    entry = _only(Action.ROLE_CHANGED)
    assert _where(entry) == (admin_user, "user", str(colleague.pk), None)
    assert entry.data == {
        "organisation": organisation.pk,
        "old": "member",
        "new": "manager",
    }
    assert colleague.full_name not in str(entry.data)


def test_a_new_contact_joins_through_the_service(admin_user, organisation) -> None:
    contact, _created = upsert_contact(
        "new@alfa.example",
        organisation=organisation,
        full_name="Пётр Новиков",
        by=admin_user,
    )

    entry = _only(Action.MEMBERSHIP_ADDED)
    assert _where(entry) == (admin_user, "user", str(contact.pk), None)
    assert entry.data == {"organisation": organisation.pk, "role": "member"}


def _form(client, url: str, form_id: str) -> dict[str, list[str]]:
    """What the admin's change form posts as it stands."""
    reader = FormReader(form_id)
    reader.feed(client.get(url).content.decode())
    assert "csrfmiddlewaretoken" in reader.data
    return reader.data


def test_a_contacts_role_changed_in_the_admin(
    client, admin_user, organisation, customer, colleague
) -> None:
    sign_in(client, admin_user)
    url = f"/admin/accounts/organisation/{organisation.pk}/change/"
    data = _form(client, url, "organisation_form")
    [row] = [
        name.removesuffix("-id")
        for name, value in data.items()
        if name.endswith("-id") and value == [str(colleague.membership.pk)]
    ]
    data[f"{row}-role"] = ["manager"]

    response = client.post(url, data, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302
    entry = _only(Action.ROLE_CHANGED)
    assert _where(entry) == (admin_user, "user", str(colleague.pk), ADDRESS)
    assert (entry.data["old"], entry.data["new"]) == ("member", "manager")


def test_a_staff_role_given_in_the_admin(client, admin_user, agent) -> None:
    sign_in(client, admin_user)
    url = f"/admin/accounts/user/{agent.pk}/change/"
    data = _form(client, url, "user_form")
    data["groups"] = [str(Group.objects.get(name=StaffRole.SUPERVISOR.value).pk)]

    response = client.post(url, data, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302
    entry = _only(Action.ROLE_CHANGED)
    assert _where(entry) == (admin_user, "user", str(agent.pk), ADDRESS)
    assert entry.data["fields"] == ["groups"]
    assert entry.data["groups"] == ["supervisor"]


def test_deactivation_and_reactivation(admin_user, customer) -> None:
    deactivate_account(customer, by=admin_user)
    reactivate_account(customer, by=admin_user)

    for action in (Action.ACCOUNT_DEACTIVATED, Action.ACCOUNT_REACTIVATED):
        assert _where(_only(action)) == (admin_user, "user", str(customer.pk), None)


def test_a_renewal_in_the_admin(client, admin_user, organisation) -> None:
    licence = LicenceFactory(
        organisation=organisation,
        purchased_on=localdate() - datetime.timedelta(days=400),
    )
    sign_in(client, admin_user)

    client.post(
        "/admin/accounts/licence/",
        {
            "action": "renew",
            "_selected_action": [licence.pk],
            "apply": "1",
            "years": "2",
        },
        REMOTE_ADDR=ADDRESS,
    )

    entry = _only(Action.SUBSCRIPTION_RENEWED)
    period = licence.subscription_periods.latest("starts_on")
    assert _where(entry) == (admin_user, "licence", str(licence.pk), ADDRESS)
    assert entry.data == {
        "period": period.pk,
        "years": 2,
        "ends_on": period.ends_on.isoformat(),
    }


def test_a_licence_registered_and_changed_in_the_admin(
    client, admin_user, organisation
) -> None:
    sign_in(client, admin_user)
    fields = {
        "organisation": organisation.pk,
        "number": "NEWL-0001-AAAA-0001",
        "product": "UTM",
        "edition": "",
        "purchased_on": localdate().isoformat(),
        "seats": "",
        "scope": "",
        "subscription_periods-TOTAL_FORMS": "0",
        "subscription_periods-INITIAL_FORMS": "0",
        "subscription_periods-MIN_NUM_FORMS": "0",
        "subscription_periods-MAX_NUM_FORMS": "1000",
    }

    added = client.post("/admin/accounts/licence/add/", fields, REMOTE_ADDR=ADDRESS)
    assert added.status_code == 302, added.context["adminform"].form.errors
    licence = Licence.objects.get(number="NEWL-0001-AAAA-0001")
    client.post(
        f"/admin/accounts/licence/{licence.pk}/change/",
        {**fields, "seats": "25"},
        REMOTE_ADDR=ADDRESS,
    )

    where = (admin_user, "licence", str(licence.pk), ADDRESS)
    assert _where(_only(Action.LICENCE_CREATED)) == where
    changed = _only(Action.LICENCE_CHANGED)
    assert (_where(changed), changed.data) == (where, {"fields": ["seats"]})


def test_filing_without_active_support_is_recorded(
    client, agent, customer, lapsed_licence
) -> None:
    sign_in(client, agent)

    client.post(
        "/tickets/new/for-customer/",
        {
            "contact_email": customer.email,
            "licence_number": lapsed_licence.number,
            "channel": "phone",
            "subject": "Звонок",
            "description": "Клиент позвонил.",
            "category": "malfunction",
            "priority": "normal",
            "override_reason": "Оплата продления в пути",
        },
        REMOTE_ADDR=ADDRESS,
    )

    ticket = Ticket.objects.get()
    entry = _only(Action.GATE_OVERRIDE)
    assert _where(entry) == (agent, "ticket", str(ticket.pk), ADDRESS)
    assert entry.data == {"licence": lapsed_licence.pk}


def test_a_token_issued_and_revoked_in_the_admin(client, admin_user) -> None:
    integration = create_integration("Биллинг", user=admin_user)
    sign_in(client, admin_user)

    client.post(
        f"/admin/api/integration/{integration.pk}/issue-token/",
        {"scopes": ["licences:write"]},
        REMOTE_ADDR=ADDRESS,
    )
    token = ApiToken.objects.get()
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        REMOTE_ADDR=ADDRESS,
    )

    where = (admin_user, "apitoken", str(token.pk), ADDRESS)
    created = _only(Action.API_TOKEN_CREATED)
    assert (_where(created), created.data) == (
        where,
        {"integration": integration.pk, "scopes": ["licences:write"]},
    )
    assert _where(_only(Action.API_TOKEN_REVOKED)) == where
