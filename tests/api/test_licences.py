"""Licences pushed by the billing system: upsert by number, renewals chained
on as in the admin and recognised when sent again, bulk with each item's
result, ETags, and the admin's history naming the token."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.admin.models import LogEntry
from django.utils.timezone import localdate

from accounts.models import Licence, Organisation, SubscriptionPeriod
from tests.api.conftest import token_for
from tests.factories import _tax_id

pytestmark = pytest.mark.django_db

TODAY = localdate()
PURCHASED = TODAY - datetime.timedelta(days=100)


@pytest.fixture
def billing(admin_user) -> str:
    return token_for(admin_user, "licences:write")


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _licence(**changes) -> dict:
    return {
        "tax_id": _tax_id(901),
        "organisation": "ООО «Новый клиент»",
        "product": "Сервер приложений",
        "edition": "Enterprise",
        "purchased_on": PURCHASED.isoformat(),
        "seats": 25,
        **changes,
    }


def test_a_licence_is_created_with_its_year_then_changed_then_left(
    api, billing
) -> None:
    url = "/api/v1/licences/nw01-0001-aaaa-0001/"

    created = api.put(url, _licence(), format="json", **_auth(billing))
    again = api.put(url, _licence(), format="json", **_auth(billing))
    changed = api.put(url, _licence(seats=40), format="json", **_auth(billing))

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"] == "NW01-0001-AAAA-0001"
    assert body["organisation"] == "ООО «Новый клиент»"
    assert body["subscription_active"] is True
    assert body["periods"] == [
        {
            "kind": "included",
            "starts_on": PURCHASED.isoformat(),
            "ends_on": (
                PURCHASED.replace(year=PURCHASED.year + 1) - datetime.timedelta(days=1)
            ).isoformat(),
            "reference": "",
        }
    ]
    assert again.status_code == 200
    assert again["ETag"] == created["ETag"]
    assert changed.status_code == 200
    assert changed.json()["seats"] == 40
    assert changed["ETag"] != created["ETag"]
    assert Licence.objects.count() == 1
    assert Organisation.objects.filter(tax_id=_tax_id(901)).count() == 1


def test_renewals_chain_on_and_are_added_once(api, billing) -> None:
    url = "/api/v1/licences/NW01-0001-AAAA-0002/"
    renewals = [
        {"reference": "ORDER-1", "years": 1, "paid_on": TODAY.isoformat()},
        {"reference": "ORDER-2", "years": 2, "paid_on": TODAY.isoformat()},
    ]
    api.put(url, _licence(), format="json", **_auth(billing))

    first = api.put(url, _licence(renewals=renewals), format="json", **_auth(billing))
    second = api.put(url, _licence(renewals=renewals), format="json", **_auth(billing))

    periods = first.json()["periods"]
    assert [p["reference"] for p in periods] == ["", "ORDER-1", "ORDER-2"]
    # Each starts the day after the one before ends, as the admin's renewal.
    for before, after in itertools.pairwise(periods):
        assert datetime.date.fromisoformat(after["starts_on"]) == (
            datetime.date.fromisoformat(before["ends_on"]) + datetime.timedelta(days=1)
        )
    assert second.json()["periods"] == periods
    assert SubscriptionPeriod.objects.count() == 3


def test_a_lapsed_licence_renewed_starts_on_the_day_it_is_paid(api, billing) -> None:
    bought = TODAY - datetime.timedelta(days=800)
    url = "/api/v1/licences/NW01-0001-AAAA-0003/"
    renewal = {"reference": "R-9", "years": 1, "paid_on": TODAY.isoformat()}

    answer = api.put(
        url,
        _licence(purchased_on=bought.isoformat(), renewals=[renewal]),
        format="json",
        **_auth(billing),
    )

    assert answer.json()["periods"][-1]["starts_on"] == TODAY.isoformat()
    assert answer.json()["subscription_active"] is True


def test_the_rules_of_the_import_refuse_with_field_errors(
    api, billing, active_licence, other_organisation
) -> None:
    moved = api.put(
        f"/api/v1/licences/{active_licence.number}/",
        _licence(tax_id=other_organisation.tax_id),
        format="json",
        **_auth(billing),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    bad = api.put(
        "/api/v1/licences/not-a-number/",
        _licence(tax_id="1234567890"),
        format="json",
        **_auth(billing),
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert moved.status_code == 400
    assert moved["Content-Type"] == "application/problem+json"
    assert "belongs to another organisation" in moved.json()["errors"]["tax_id"][0]
    assert set(bad.json()["errors"]) == {"number", "tax_id"}
    assert "не номер лицензии" in bad.json()["errors"]["number"][0]
    assert not Licence.objects.filter(number="NOT-A-NUMBER").exists()


def test_if_match_refuses_a_lost_update(api, billing) -> None:
    url = "/api/v1/licences/NW01-0001-AAAA-0004/"
    read = api.put(url, _licence(), format="json", **_auth(billing))
    api.put(url, _licence(seats=3), format="json", **_auth(billing))

    stale = api.put(
        url,
        _licence(seats=99),
        format="json",
        HTTP_IF_MATCH=read["ETag"],
        **_auth(billing),
    )
    fresh_tag = api.get(url, **_auth(billing))["ETag"]
    fresh = api.put(
        url,
        _licence(seats=99),
        format="json",
        HTTP_IF_MATCH=fresh_tag,
        **_auth(billing),
    )
    unchanged = api.get(url, HTTP_IF_NONE_MATCH=fresh["ETag"], **_auth(billing))

    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert fresh.status_code == 200
    assert Licence.objects.get().seats == 99
    assert unchanged.status_code == 304


def test_bulk_reports_each_item_and_writes_the_valid_ones(
    api, billing, active_licence, other_organisation
) -> None:
    items = [
        {"number": "NW02-0000-0000-0001", **_licence()},
        {"number": "NW02-0000-0000-0001", **_licence()},
        {"number": active_licence.number, **_licence(tax_id=other_organisation.tax_id)},
        {"number": "NW02-0000-0000-0002", **_licence(seats="many")},
        {
            "number": "NW02-0000-0000-0003",
            **_licence(renewals=[{"reference": "X", "years": 0, "paid_on": "soon"}]),
        },
    ]

    answer = api.post(
        "/api/v1/licences/bulk/", {"licences": items}, format="json", **_auth(billing)
    )

    assert answer.status_code == 200, answer.json()
    results = answer.json()["results"]
    assert [r["result"] for r in results] == [
        "created",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert "number" in results[1]["errors"]
    assert "tax_id" in results[2]["errors"]
    assert "seats" in results[3]["errors"]
    assert set(results[4]["errors"]) == {"renewals[0].years", "renewals[0].paid_on"}
    assert answer.json()["summary"] == {
        "created": 1,
        "changed": 0,
        "unchanged": 0,
        "invalid": 4,
    }
    assert list(
        Licence.objects.values_list("number", flat=True).order_by("number")
    ) == [
        active_licence.number,
        "NW02-0000-0000-0001",
    ]


def test_bulk_takes_at_most_a_thousand(api, billing) -> None:
    items = [
        {"number": f"NW03-0000-{n // 10000:04d}-{n % 10000:04d}"} for n in range(1001)
    ]

    answer = api.post(
        "/api/v1/licences/bulk/", {"licences": items}, format="json", **_auth(billing)
    )

    assert answer.status_code == 400
    assert "licences" in answer.json()["errors"]
    assert not Licence.objects.exists()


def test_the_admin_history_names_the_token(api, billing) -> None:
    api.put(
        "/api/v1/licences/NW01-0001-AAAA-0005/",
        _licence(
            renewals=[{"reference": "O-1", "years": 1, "paid_on": TODAY.isoformat()}]
        ),
        format="json",
        **_auth(billing),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    prefix = billing.split("_")[1]
    messages = list(LogEntry.objects.values_list("change_message", flat=True))
    assert len(messages) == 2
    assert all(f"Биллинг, hdk_{prefix}_…" in message for message in messages)
    assert any("Subscription renewed (1)" in message for message in messages)


def test_an_organisations_token_cannot_hold_licence_scopes(
    customer, organisation
) -> None:
    from api.services import IntegrationError

    with pytest.raises(IntegrationError):
        token_for(customer, "licences:write", organisation=organisation)


def test_a_ticket_scope_does_not_write_licences(api, agent) -> None:
    token = token_for(agent, "tickets:read", "tickets:write")

    answer = api.put(
        "/api/v1/licences/NW01-0001-AAAA-0006/",
        _licence(),
        format="json",
        **_auth(token),
    )

    assert answer.status_code == 403
    assert not Licence.objects.exists()


def test_a_body_over_the_limit_is_refused_before_it_is_read(api, billing) -> None:
    from api.views.base import MAX_BODY

    answer = api.generic(
        "POST",
        "/api/v1/licences/bulk/",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(MAX_BODY + 1),
        **_auth(billing),
    )

    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/problem+json"


def test_an_unknown_address_under_the_api_is_a_problem_document(api, billing) -> None:
    answer = api.get("/api/v1/access-requests/not-a-uuid/", **_auth(billing))

    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 404


def test_a_request_that_meets_another_at_a_unique_row_is_told_to_retry(
    api, billing, monkeypatch
) -> None:
    from django.db import IntegrityError

    import api.views.licences as view

    def collide(items, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(view, "sync_licences", collide)

    answer = api.put(
        "/api/v1/licences/NW01-0001-AAAA-0009/",
        _licence(),
        format="json",
        **_auth(billing),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/problem+json"
    assert "send it again" in answer.json()["detail"]
