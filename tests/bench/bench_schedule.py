"""Benchmark of `schedule.current.status()`: `make bench`.

Not a test (pytest does not collect it): it prints numbers rather than failing
on a slow machine. It builds a throw-away test database with the migrations
(the shipped calendars included), warms the calendar, then shows that
`status()` makes no query and how many calls a second one core answers.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from schedule import current  # noqa: E402
from schedule.hours import MOSCOW  # noqa: E402

TARGET = 100_000
CALLS = 500_000


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity here)"


def random_instants(count: int) -> list[dt.datetime]:
    """Instants all over 2025–2027, in a few zones, as callers pass them."""
    rng = random.Random(3)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    zones = [dt.UTC, MOSCOW, dt.timezone(dt.timedelta(hours=10))]
    return [
        (start + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))).astimezone(
            rng.choice(zones)
        )
        for _ in range(count)
    ]


def main() -> int:
    print(
        f"Python {sys.version.split()[0]}, Django {django.get_version()}, {pin_to_one_core()}"
    )
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        instants = random_instants(CALLS)
        print(f"database: {connection.vendor} (test database, migrations applied)")

        with CaptureQueriesContext(connection) as cold:
            current.status(instants[0])
        print(f"cold: first status() loaded the calendar in {len(cold)} queries")

        # Warm: every day of the three years computed once.
        for at in instants:
            current.status(at)
        with CaptureQueriesContext(connection) as warm:
            for at in instants[:50_000]:
                current.status(at)
        print(f"warm: {len(warm)} queries for 50,000 status() calls")

        status = current.status
        best = 0.0
        for _round in range(5):
            began = time.perf_counter()
            for at in instants:
                status(at)
            elapsed = time.perf_counter() - began
            best = max(best, CALLS / elapsed)
            print(
                f"  {CALLS:,} calls in {elapsed:.3f} s = {CALLS / elapsed:,.0f} calls/s"
            )
        verdict = "meets" if best >= TARGET else "MISSES"
        print(
            f"best: {best:,.0f} status() calls/s on one core ({verdict} the {TARGET:,}/s target)"
        )
        return 0 if len(warm) == 0 else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
