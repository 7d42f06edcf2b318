"""The audit log in the admin: supervisors and administrators read, search
and export it; no one adds, changes or deletes an entry there."""

from __future__ import annotations

import csv
import io

import pytest

from audit.models import AuditEntry
from audit.services import record
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
LIST = "/admin/audit/auditentry/"
EXPORT = "/admin/audit/auditentry/export/"


@pytest.fixture
def entries(customer, colleague, active_licence):
    return {
        "customer": record(
            Action.SIGN_IN, actor=customer, target=customer, request=None
        ),
        "licence": record(Action.LICENCE_CHANGED, target=active_licence, fields=["x"]),
        "colleague": AuditEntry.objects.create(
            action=Action.SIGN_IN_FAILED, ip_address="203.0.113.9"
        ),
        "renewal": record(Action.SUBSCRIPTION_RENEWED, actor=colleague),
    }


def _listed(response, entries) -> set[str]:
    rows = {f"/admin/audit/auditentry/{e.pk}/change/": k for k, e in entries.items()}
    text = response.content.decode()
    return {name for url, name in rows.items() if url in text}


@pytest.mark.parametrize("role", ["supervisor", "admin_user"])
def test_supervisors_and_admins_read_the_log(client, request, role, entries) -> None:
    sign_in(client, request.getfixturevalue(role))

    response = client.get(LIST)

    assert response.status_code == 200
    assert _listed(response, entries) == set(entries)
    assert 'id="audit-export"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Анна Смирнова", {"customer"}),
        ("colleague@alfa", {"renewal"}),
        ("203.0.113.9", {"colleague"}),
    ],
)
def test_search_by_name_address_or_ip(client, supervisor, entries, query, found):
    sign_in(client, supervisor)

    assert _listed(client.get(LIST, {"q": query}), entries) == found


def test_search_by_object_id(client, supervisor, entries, active_licence) -> None:
    sign_in(client, supervisor)

    response = client.get(LIST, {"q": str(active_licence.pk)})

    assert "licence" in _listed(response, entries)


def test_filter_by_action(client, supervisor, entries) -> None:
    sign_in(client, supervisor)

    response = client.get(LIST, {"action__exact": Action.SUBSCRIPTION_RENEWED})

    assert _listed(response, entries) == {"renewal"}


def test_no_one_adds_changes_or_deletes_here(client, admin_user, entries) -> None:
    sign_in(client, admin_user)
    entry = entries["customer"]

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(f"{LIST}{entry.pk}/delete/").status_code == 403
    client.post(f"{LIST}{entry.pk}/change/", {"action": "sign_out"})
    client.post(LIST, {"action": "delete_selected", "_selected_action": [entry.pk]})

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.action == Action.SIGN_IN


def test_the_export_is_the_filtered_list_as_csv(
    client, supervisor, entries, customer
) -> None:
    sign_in(client, supervisor)

    response = client.get(
        EXPORT,
        {"action__exact": Action.SIGN_IN, "q": "Смирнова"},
        REMOTE_ADDR="192.0.2.1",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert len(header) == 10
    assert [(row[2], row[3], row[4], row[5], row[6]) for row in rows] == [
        ("sign_in", str(customer.pk), "Анна Смирнова", "user", str(customer.pk))
    ]
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert (export.actor, export.ip_address) == (supervisor, "192.0.2.1")
    # Its filters, but not the words searched for: they may be a name.
    assert export.data == {
        "filters": {"action__exact": "sign_in"},
        "searched": True,
    }


def test_a_cell_a_spreadsheet_would_run_is_quoted(client, supervisor, customer):
    customer.full_name = "=HYPERLINK(1)"
    customer.save(update_fields=["full_name"])
    record(Action.SIGN_IN, actor=customer)
    sign_in(client, supervisor)

    content = b"".join(client.get(EXPORT).streaming_content).decode()

    assert "'=HYPERLINK(1)" in content


def test_agents_may_not_read_or_export(client, agent, entries) -> None:
    sign_in(client, agent)

    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_customers_are_sent_to_sign_in(client, customer, entries) -> None:
    client.force_login(customer)

    response = client.get(EXPORT)

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_export_link_keeps_the_lists_filters(client, supervisor) -> None:
    sign_in(client, supervisor)

    page = client.get(LIST, {"action__exact": "sign_in", "q": "x"}).content.decode()

    assert f'href="{EXPORT}?action__exact=sign_in&amp;q=x"' in page
