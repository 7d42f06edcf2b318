"""Benchmark of the supervisor dashboard on PostgreSQL with many tickets.

    DATABASE_URL=postgres://... .venv/bin/python tests/bench/bench_dashboard.py [TICKETS]

Not a test (pytest does not collect it): it prints numbers. It builds a
throw-away database with the migrations, writes TICKETS tickets (default one
million) spread over three years with one INSERT … SELECT, as the services
would have left them (first replies, solutions, the stored SLA facts,
ratings), vacuums and analyses, then:

1. shows each dashboard query's plan and time (EXPLAIN ANALYZE);
2. times `tickets.dashboard.figures.build()` (what the beat task runs once a minute)
   and the whole page (a signed-in supervisor through the test client:
   middleware, the snapshot, the live open tickets, charts, template), and
   reports the median and the 95th percentile against the 100 ms target;
3. times the page without a snapshot (a cold cache), for comparison.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils.timezone import now  # noqa: E402

TARGET_MS = 100
ROUNDS = 60
YEARS = 3

# Tickets filed every day of the last YEARS years in support hours; most old
# ones solved and closed, the last fortnight's partly still open; 95 % answered,
# a fifth of the closed ones rated. Facts as `refresh_sla` stores them.
TICKETS_SQL = """
INSERT INTO tickets_ticket (
    code, reference, organisation_id, licence_id, contact_id, contact_email,
    contact_phone, subject, category, priority, status, channel,
    licence_override_reason, created_at, updated_at, first_response_at,
    last_customer_message_at, resolved_at, closed_at,
    first_response_support_seconds, first_response_met, resolution_met
)
SELECT
    md5('t' || n)::uuid, 'BN-' || lpad(n::text, 9, '0'), %(organisation)s,
    %(licence)s, %(contact)s, 'bench@example.com', '', 'Вопрос', 'other',
    (ARRAY['low', 'normal', 'normal', 'normal', 'high', 'critical'])[1 + n %% 6],
    CASE
        WHEN age < interval '14 days' AND n %% 3 = 0 THEN
            (ARRAY['new', 'open', 'waiting'])[1 + n %% 9 / 3]
        WHEN n %% 10 = 0 THEN 'resolved'
        ELSE 'closed'
    END,
    (ARRAY['web', 'web', 'email', 'email', 'phone', 'telegram'])[1 + n %% 7 %% 6],
    '', created, created, replied, created, solved,
    CASE WHEN solved IS NOT NULL AND n %% 10 <> 0 THEN solved + interval '1 day' END,
    CASE WHEN replied IS NOT NULL THEN (n * 7919) %% 28800 END,
    CASE WHEN replied IS NOT NULL THEN n %% 11 <> 0 END,
    CASE WHEN solved IS NOT NULL THEN n %% 8 <> 0 END
FROM (
    SELECT
        n, created, %(now)s - created AS age,
        CASE WHEN n %% 20 <> 0 THEN created + ((n * 7919) %% 28800) * interval '1 second' END
            AS replied,
        CASE WHEN %(now)s - created >= interval '14 days' OR n %% 3 <> 0
            THEN created + ((n * 104729) %% 345600) * interval '1 second' END AS solved
    FROM (
        SELECT n, %(now)s - (n::float / %(count)s) * %(span)s * interval '1 day'
            - ((n * 37) %% 43200) * interval '1 second' AS created
        FROM generate_series(1::bigint, %(count)s) AS n
    ) AS filed
) AS lives
"""

RATINGS_SQL = """
INSERT INTO tickets_satisfactionrating (ticket_id, score, comment, rated_by_id, created_at)
SELECT id, (ARRAY[1, 2, 3, 4, 4, 5, 5, 5])[1 + abs(hashtext(id::text)) %% 8], '',
       contact_id, closed_at
FROM tickets_ticket
WHERE status = 'closed' AND id %% 5 = 0
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _seed(count: int) -> int:
    from tests.factories import LicenceFactory, MembershipFactory

    membership = MembershipFactory()
    licence = LicenceFactory(organisation=membership.organisation)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(
            TICKETS_SQL,
            {
                "organisation": membership.organisation_id,
                "licence": licence.pk,
                "contact": membership.user_id,
                "now": now(),
                "count": count,
                "span": 365 * YEARS,
            },
        )
        cursor.execute(RATINGS_SQL, [])
        print(f"seeded {count:,} tickets in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE tickets_satisfactionrating")
        print(f"VACUUM ANALYZE in {time.perf_counter() - began:.1f} s")
        cursor.execute("SELECT count(*) FROM tickets_satisfactionrating")
        ratings = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket "
            "WHERE status IN ('new', 'open', 'waiting')"
        )
        print(f"{ratings:,} ratings, {cursor.fetchone()[0]:,} open tickets")
    return count


def _explain(queries: list[dict]) -> None:
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
            print(f"\n  {query['sql'][:150]}…")
            for line in plan:
                if "Scan" in line or "Execution Time" in line or "Aggregate" in line:
                    print(f"    {line.strip()}")


def _time(label: str, action, *, target: bool = False) -> list[float]:
    times = []
    for _round in range(ROUNDS):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    p50, p95 = statistics.median(times), _percentile(times, 0.95)
    verdict = ""
    if target:
        verdict = "meets" if p95 < TARGET_MS else "MISSES"
        verdict = f" ({verdict} the {TARGET_MS} ms p95 target)"
    print(
        f"{label}: median {p50:.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms "
        f"over {ROUNDS}{verdict}"
    )
    return times


def main() -> int:
    if connection.vendor != "postgresql":
        print("Needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(
        f"Django {django.get_version()}, {connection.vendor}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    # No `setup_test_environment()`: its instrumented template rendering
    # would be timed too.
    connection.settings_dict["TEST"]["NAME"] = (
        f"bench_{connection.settings_dict['NAME']}"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        from accounts.models import StaffRole
        from tests.auth import sign_in
        from tests.conftest import _staff
        from tickets.dashboard import figures as dashboard

        _seed(count)
        with CaptureQueriesContext(connection) as captured:
            dashboard.build(now())
        print(f"\ndashboard.build(): {len(captured)} queries")
        _explain(captured.captured_queries)
        print()
        _time("dashboard.build(), once a minute", lambda: dashboard.build(now()))

        client = Client()
        sign_in(client, _staff("bench@support.example", StaffRole.SUPERVISOR))
        assert client.get("/staff/dashboard/").status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get("/staff/dashboard/")
        print(f"the page with a snapshot: {len(captured)} queries in all")
        times = _time(
            "GET /staff/dashboard/",
            lambda: client.get("/staff/dashboard/"),
            target=True,
        )

        def without_snapshot() -> None:
            cache.delete(dashboard.CACHE_KEY)
            client.get("/staff/dashboard/")

        _time("GET /staff/dashboard/ without a snapshot", without_snapshot)
        return 0 if _percentile(times, 0.95) < TARGET_MS else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
