"""A fake billing system on 127.0.0.1 pushes 10,000 licences to the portal
over HTTP in bulk, pushes them again (nothing changes, nothing is
duplicated), then pushes renewals of 200 of them, twice (added once)."""

from __future__ import annotations

import datetime
import json
import urllib.request

import pytest
from django.contrib.admin.models import LogEntry
from django.utils.timezone import localdate

from accounts.models import Licence, Organisation, SubscriptionPeriod
from tests.api.conftest import token_for
from tests.factories import _tax_id

pytestmark = pytest.mark.django_db(transaction=True)

LICENCES = 10_000
BATCH = 1_000
ORGANISATIONS = 200
TODAY = localdate()


class BillingSystem:
    """What the vendor's billing system does: its licences, sent in batches
    of a thousand, each batch with its own Idempotency-Key."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token

    def licence(self, n: int, renewals: list[dict] | None = None) -> dict:
        return {
            "number": f"BILL-{n // 10000:04d}-{n % 10000:04d}-2026",
            "tax_id": _tax_id(10_000 + n % ORGANISATIONS),
            "organisation": f"ООО «Клиент {n % ORGANISATIONS}»",
            "product": "Сервер приложений",
            "edition": "Standard" if n % 3 else "Enterprise",
            "purchased_on": (TODAY - datetime.timedelta(days=n % 300)).isoformat(),
            "seats": 5 + n % 50,
            **({"renewals": renewals} if renewals else {}),
        }

    def push(self, items: list[dict], key: str) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}/api/v1/licences/bulk/",
            data=json.dumps({"licences": items}).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            return json.load(response)

    def push_all(self, make, run: str) -> dict[str, int]:
        import time

        t = time.perf_counter()
        summary: dict[str, int] = {}
        for start in range(0, LICENCES, BATCH):
            items = [make(n) for n in range(start, start + BATCH)]
            answer = self.push(items, f"{run}-{start}")
            assert len(answer["results"]) == BATCH
            for result, count in answer["summary"].items():
                summary[result] = summary.get(result, 0) + count
        print(run, time.perf_counter() - t)
        return summary


def test_ten_thousand_licences_pushed_twice_then_renewed(
    live_server, admin_user
) -> None:
    billing = BillingSystem(live_server.url, token_for(admin_user, "licences:write"))

    first = billing.push_all(billing.licence, "first")
    history = LogEntry.objects.count()
    second = billing.push_all(billing.licence, "second")

    assert first == {"created": LICENCES, "changed": 0, "unchanged": 0, "invalid": 0}
    assert second == {"created": 0, "changed": 0, "unchanged": LICENCES, "invalid": 0}
    assert Licence.objects.count() == LICENCES
    assert Organisation.objects.count() == ORGANISATIONS
    assert SubscriptionPeriod.objects.count() == LICENCES
    # Nothing changed, nothing recorded.
    assert LogEntry.objects.count() == history

    # Every fiftieth licence is renewed, in one request, sent twice.
    renewed = [
        billing.licence(
            n, [{"reference": f"R-{n}", "years": 1, "paid_on": TODAY.isoformat()}]
        )
        for n in range(0, LICENCES, 50)
    ]
    ends_before = Licence.objects.with_periods().get(number=renewed[0]["number"])
    ends_before = ends_before.support_ends_on
    first_renewals = billing.push(renewed, "renewals")
    again = billing.push(renewed, "renewals-again")

    assert {r["renewals_added"] for r in first_renewals["results"]} == {1}
    assert {r["renewals_added"] for r in again["results"]} == {0}
    assert again["summary"]["unchanged"] == len(renewed)
    assert SubscriptionPeriod.objects.count() == LICENCES + len(renewed)
    assert SubscriptionPeriod.objects.filter(reference="R-0").get().starts_on == (
        ends_before + datetime.timedelta(days=1)
    )
