"""Behaviour that only a real PostgreSQL can show: row locks under concurrency."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from django.db import connection, connections

from accounts.models import Licence
from accounts.services import renew_subscription
from tests.requirements import require

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    require(
        connection.vendor == "postgresql",
        f"the suite runs on {connection.vendor}; set DATABASE_URL to a PostgreSQL database",
    )


def test_concurrent_renewals_chain_instead_of_overlapping(active_licence) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def renew() -> None:
        try:
            barrier.wait()
            renew_subscription(Licence.objects.get(pk=active_licence.pk), years=1)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=renew) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    periods = list(active_licence.subscription_periods.order_by("starts_on"))
    assert len(periods) == 5
    for earlier, later in pairwise(periods):
        assert (later.starts_on - earlier.ends_on).days == 1
