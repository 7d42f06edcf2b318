"""`make bench`: the portal under load with a large database, against its own ceiling.

1. Checks PostgreSQL, Redis and wrk, and says what is missing.
2. Uses the database `helpdesk_bench_<tickets>`: reused when bench/seed.py
   marked it with that size, otherwise created, migrated and seeded by it
   (`--seed-only` stops here).
3. Starts gunicorn on 127.0.0.1 with the production settings (DEBUG=false,
   Redis cache and broker, told by the proxy header that it is HTTPS).
4. For each scenario: counts its SQL queries in-process (django.test.Client
   on the same database), then drives the server with wrk, 4 connections.
   The ceiling, a trivial staff page with the same middleware, runs in the
   same server before and after each page, so each is also given as a share
   of the mean of the two ceilings beside it.
5. A mixed load test (locust, headless): 50 users for 2 minutes, customers
   filing and reading tickets, agents working the queue; every request must
   succeed and every ticket reported filed must be in the database.
6. In-process figures (bench/inprocess.py, a throw-away database).
7. Prints the table and writes bench/results/<date>-<tickets>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
CONNECTIONS = 4
WORKERS = 4
# The targets of issue 8, for 1,000,000 tickets on 2 cores.
PAGE_P95_MS = 50
PAGE_SHARE = 0.20
SEARCH_P95_MS = 150
DASHBOARD_P95_MS = 100
FILING_RPS = 50
# Issue 21's: the API's ticket list as a page, filing through it, and the
# billing system's bulk licence upsert.
BULK_LICENCES_PER_S = 500
BULK_BATCH = 1000
STATUS_SHARE = 0.60
# Issue 23's: the knowledge base at 10,000 articles.
KB_ARTICLES = 10_000
KB_ARTICLE_P95_MS = 30
KB_SUGGEST_P95_MS = 50
KB_SEARCH_P95_MS = 100
# Issue 24: a report over the last 30 days by agent (live figures, no cache).
REPORT_P95_MS = 500
# Issue 24: a year's export of tickets grows its process by no more than
# this over a month's (constant memory), in either format.
EXPORT_GROWTH_MB = 16
# A request measured in-process is given up after this long.
IN_PROCESS_TIMEOUT_S = 120


def say(text: str) -> None:
    print(text, flush=True)


# -- 1. what the bench needs --------------------------------------------------


def check_services(
    database_url: str, redis_url: str, *, wrk: bool = True, locust: bool = True
) -> None:
    """PostgreSQL and Redis always; wrk and locust when a run drives the server
    with them."""
    missing = []
    try:
        import psycopg2

        psycopg2.connect(_admin_url(database_url), connect_timeout=3).close()
    except Exception as error:
        missing.append(f"PostgreSQL at {_safe(database_url)} ({error!s:.80})")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_timeout=3).ping()
    except Exception as error:
        missing.append(f"Redis at {redis_url} ({error!s:.80})")
    if wrk and shutil.which("wrk") is None:
        missing.append("wrk (Debian: apt-get install wrk)")
    if locust and importlib.util.find_spec("locust") is None:
        missing.append("locust (pip install -e '.[bench]')")
    if missing:
        say("make bench needs PostgreSQL, Redis, wrk and locust; missing:")
        for item in missing:
            say(f"  - {item}")
        say(
            "Set BENCH_DATABASE_URL (a server, any database name) and "
            "BENCH_REDIS_URL if they run elsewhere than 127.0.0.1."
        )
        sys.exit(2)


def _admin_url(database_url: str) -> str:
    return urlparse(database_url)._replace(path="/postgres").geturl()


def _safe(url: str) -> str:
    parsed = urlparse(url)
    return parsed._replace(netloc=parsed.hostname or "").geturl()


# -- 2. the database -----------------------------------------------------------


def prepare_database(database_url: str, tickets: int, env: dict[str, str]) -> dict:
    """Reuse the seeded database of this size, or build it; the seed's report."""
    import psycopg2

    name = urlparse(database_url).path.lstrip("/")
    admin = psycopg2.connect(_admin_url(database_url))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
        seeded = _seed_figures(row[0] if row else None)
        if seeded.get("tickets") == tickets:
            say(f"database {name}: seeded with {tickets:,} tickets, reused")
            admin.close()
            _migrate(env)
            return {"reused": True, **seeded}
        say(f"database {name}: creating and seeding {tickets:,} tickets")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    _migrate(env)
    began = time.monotonic()
    _run_seed(["bench/seed.py", "--tickets", str(tickets)], env)
    seconds = round(time.monotonic() - began)
    say(f"seeding took {seconds} s with Django's start-up")
    admin = psycopg2.connect(_admin_url(database_url))
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = %s",
            [name],
        )
        seeded = _seed_figures(cursor.fetchone()[0])
    admin.close()
    return {"reused": False, **seeded}


def seed_knowledge(env: dict[str, str]) -> None:
    """Top the knowledge base up to `KB_ARTICLES` (a no-op once it has them)."""
    _run_seed(["bench/seed_knowledge.py", "--articles", str(KB_ARTICLES)], env)


def _run_seed(command: list[str], env: dict[str, str]) -> None:
    """Run a seeding script, saying what it printed; stop if it failed."""
    seeding = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    say(seeding.stdout.rstrip())
    if seeding.returncode:
        say(seeding.stderr[-3000:])
        raise SystemExit(f"{command[0]} failed")


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def _seed_figures(comment: str | None) -> dict:
    """ "seed_bench tickets=N; rows=R; seconds=S" (bench/seed.py's mark) as numbers."""
    if not comment or not comment.startswith("seed_bench "):
        return {}
    figures = {}
    for part in comment.removeprefix("seed_bench ").split("; "):
        key, _eq, number = part.partition("=")
        if number.isdigit():
            figures[key] = int(number)
    if figures.get("rows") and figures.get("seconds"):
        figures["rows_per_s"] = round(figures["rows"] / figures["seconds"])
    return figures


# -- 3. the server -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "helpdesk.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            continue
    server.terminate()
    raise SystemExit(f"gunicorn did not answer; see {log}")


# -- 4. scenarios ---------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    paths: list[str]
    cookie: str = ""
    method: str = "GET"
    body: str = ""
    # Bodies sent in turn instead of `body` (urlencoded, one per request).
    bodies: list[str] = field(default_factory=list)
    expect: int = 200
    # The figure it is judged by: ("p95_ms", limit), ("share", minimum), ("rps", minimum)
    targets: list[tuple[str, float]] = field(default_factory=list)
    skipped: str = ""
    # Measured once in-process, last among the wrk runs (it may hold workers).
    slow: bool = False
    # For the in-process query count: the same request through django.test.Client.
    client_data: dict | None = None
    # The API's: `Authorization: Bearer …`, and JSON bodies.
    authorization: str = ""
    content_type: str = ""


def build_scenarios(personas: dict) -> list[Scenario]:
    staff = personas["agent_cookie"]
    page = [("p95_ms", PAGE_P95_MS), ("share", PAGE_SHARE)]
    scenarios = [
        Scenario("ceiling", [personas["ceiling_path"]], staff),
        Scenario("queue", ["/staff/queue/"], staff, targets=page),
        Scenario(
            "queue_filtered",
            ["/staff/queue/?" + urlencode(personas["filters"])],
            staff,
            targets=page,
        ),
        Scenario(
            "queue_deep",
            ["/staff/queue/?" + urlencode({"after": personas["deep_cursor"]})],
            staff,
            targets=page,
        ),
        Scenario(
            "ticket_20_messages",
            [f"/tickets/{personas['ticket_20']}/"],
            staff,
            targets=page,
        ),
        Scenario(
            "organisation_list",
            ["/tickets/"],
            personas["manager_cookie"],
            targets=page,
        ),
        Scenario(
            "file_ticket",
            ["/tickets/new/"],
            personas["filer_cookie"],
            method="POST",
            body=urlencode(personas["filing"]).replace("%7Bn%7D", "{n}"),
            expect=302,
            targets=[("rps", FILING_RPS)],
            client_data=personas["filing"],
        ),
        Scenario(
            "dashboard",
            [personas["dashboard_path"] or "/"],
            personas["supervisor_cookie"],
            targets=[("p95_ms", DASHBOARD_P95_MS)],
            skipped="" if personas["dashboard_path"] else "not built",
        ),
        Scenario(
            "search",
            ["/staff/queue/?" + urlencode({"q": q}) for q in personas["searches"]],
            staff,
            targets=[("p95_ms", SEARCH_P95_MS)],
            slow=True,
        ),
        Scenario(
            "api_ticket_list",
            ["/api/v1/tickets/"],
            authorization=personas["api_agent"],
            targets=page,
        ),
        Scenario(
            "api_file_ticket",
            ["/api/v1/tickets/"],
            method="POST",
            body=json.dumps(personas["api_filing"], ensure_ascii=False),
            expect=201,
            targets=[("rps", FILING_RPS)],
            client_data=personas["api_filing"],
            authorization=personas["api_filer"],
            content_type="application/json",
        ),
        Scenario(
            "kb_article",
            personas["kb_articles"],
            personas["filer_cookie"],
            targets=[("p95_ms", KB_ARTICLE_P95_MS)],
        ),
        Scenario(
            "kb_suggest",
            ["/kb/suggest/"],
            personas["filer_cookie"],
            method="POST",
            bodies=[urlencode(typed) for typed in personas["kb_typing"]],
            targets=[("p95_ms", KB_SUGGEST_P95_MS)],
            client_data=personas["kb_typing"][-1],
        ),
        Scenario(
            "kb_search",
            ["/kb/search/?" + urlencode({"q": q}) for q in personas["kb_searches"]],
            personas["filer_cookie"],
            targets=[("p95_ms", KB_SEARCH_P95_MS)],
        ),
        Scenario(
            "reports_30_days",
            [personas["report_path"]],
            personas["supervisor_cookie"],
            targets=[("p95_ms", REPORT_P95_MS)],
        ),
        Scenario(
            "schedule_status",
            ["/api/schedule/status"],
            "",
            targets=[("share", STATUS_SHARE)],
        ),
    ]
    # The ceiling before and after every page: the machine's speed drifts
    # within a run (shared cores), so each page's share is taken of the mean
    # of the two ceilings beside it. The slow ones last: their stragglers must
    # not hold the workers of others.
    ceiling, pages = scenarios[0], [s for s in scenarios[1:] if not s.slow]
    return (
        [ceiling]
        + [one for page in pages for one in (page, ceiling)]
        + [s for s in scenarios if s.slow]
    )


# Which processes a request's CPU time goes to: the page's Python or the
# database's work (planning and running its queries), say.
PROCESS_KINDS = {
    "gunicorn": "gunicorn",
    "postgres": "postgres",
    "redis-server": "redis",
}


def cpu_seconds_by_process() -> dict[int, tuple[str, float]]:
    """(kind, CPU seconds so far) of each gunicorn, PostgreSQL and Redis
    process, from /proc (Linux); {} where there is none."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        kind = next((k for n, k in PROCESS_KINDS.items() if n in command), None)
        if kind:
            # utime and stime, after the command name in brackets.
            fields = stat.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (kind, (int(fields[11]) + int(fields[12])) / ticks)
    return found


def cpu_ms_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Each kind's CPU milliseconds a request. A process started meanwhile
    counts whole (PostgreSQL starts a backend for each connection a worker
    opens again after `CONN_MAX_AGE`); one that ended meanwhile is lost."""
    spent: dict[str, float] = {}
    for pid, (kind, seconds) in after.items():
        earlier = before[pid][1] if pid in before else 0.0
        spent[kind] = spent.get(kind, 0.0) + seconds - earlier
    return {kind: round(1000 * s / max(requests, 1), 2) for kind, s in spent.items()}


def run_wrk(scenario: Scenario, port: int, seconds: int) -> dict:
    origin = f"https://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BENCH_METHOD": scenario.method,
        "BENCH_PATHS": "\n".join(scenario.paths),
        "BENCH_COOKIE": scenario.cookie,
        "BENCH_EXPECT": str(scenario.expect),
        "BENCH_ORIGIN": origin,
    }
    if scenario.body:
        env["BENCH_BODY"] = scenario.body
    if scenario.bodies:
        env["BENCH_BODIES"] = "\n".join(scenario.bodies)
    if scenario.authorization:
        env["BENCH_AUTHORIZATION"] = scenario.authorization
    if scenario.content_type:
        env["BENCH_CONTENT_TYPE"] = scenario.content_type
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(CONNECTIONS),
        "--timeout",
        "30s",
        "--script",
        str(ROOT / "bench" / "wrk.lua"),
    ]
    url = f"http://127.0.0.1:{port}"
    if not scenario.slow:
        # A short warm-up (workers load the calendar, PostgreSQL its pages) first.
        subprocess.run(
            [*command, "--duration", "2s", url],
            env=env,
            check=True,
            capture_output=True,
        )
    cpu_before = cpu_seconds_by_process()
    done = subprocess.run(
        [*command, "--duration", f"{seconds}s", url],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    cpu_after = cpu_seconds_by_process()
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
    figures["cpu_ms_per_request"] = cpu_ms_per_request(
        cpu_before, cpu_after, figures["requests"]
    )
    return figures


# -- the Django side: personas, sessions, query counts ---------------------------


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def session_cookie(user, csrf: str) -> str:
    """A signed-in session as allauth's login leaves it (with the second factor
    for staff), written to the bench database; the cookie header for it."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.is_staff:
        now = time.time()
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.create()
    return f"sessionid={session.session_key}; csrftoken={csrf}"


def _bearer(user, scopes: list[str], organisation_id: int | None = None) -> str:
    """A new token of a bench integration acting as `user`: the header."""
    from api.services import create_integration, issue_token

    integration = create_integration(
        "Bench", user=user, organisation_id=organisation_id
    )
    _token, text = issue_token(integration, scopes=scopes, by=user)
    return f"Bearer {text}"


def find_personas(csrf: str) -> dict:
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse
    from django.utils.timezone import localdate

    from accounts.models import Licence, User
    from bench.urls import CEILING_PATH
    from tickets import keyset
    from tickets.models import Message, Ticket
    from tickets.services import licence_refusal

    agent = User.objects.get(email="agent01@support.bench")
    supervisor = User.objects.get(email="supervisor38@support.bench")
    manager = User.objects.get(email="manager@org00001.bench")
    # The filer's organisation is small and has support: its list stays small.
    filer = next(
        user
        for user in User.objects.filter(
            email__startswith="manager@org0", membership__isnull=False
        ).order_by("-email")
        if (
            licence := Licence.objects.filter(
                organisation=user.membership.organisation
            ).first()
        )
        and licence_refusal(licence) is None
    )
    filer_licence = Licence.objects.filter(
        organisation=filer.membership.organisation
    ).first()
    ticket_20 = (
        Message.objects.values("ticket__reference")
        .annotate(n=Count("id"))
        .filter(n=20)
        .order_by("ticket__reference")
        .first()["ticket__reference"]
    )
    queue = Ticket.objects.open().by_sla_due()
    queue_size = queue.count()
    # A page far into the queue: 80 % of the way down.
    deep_row = queue.values("pk", "sla_due_at")[max(0, queue_size * 4 // 5)]
    try:
        dashboard_path = reverse("tickets_staff:dashboard")
    except NoReverseMatch:
        dashboard_path = ""
    today = localdate()
    report_path = f"{reverse('reports:report')}?" + urlencode(
        {
            "first": (today - dt.timedelta(days=29)).isoformat(),
            "last": today.isoformat(),
            "by": "agent",
        }
    )
    return {
        "api_agent": _bearer(agent, ["tickets:read"]),
        "api_filer": _bearer(
            filer, ["tickets:write"], filer.membership.organisation_id
        ),
        "api_billing": _bearer(agent, ["licences:write"]),
        "api_filing": {
            "licence": filer_licence.number,
            "subject": "API bench {n}: сервер печати не отвечает",
            "description": "Мониторинг: сервер печати не отвечает три проверки подряд.",
            "category": "malfunction",
        },
        "agent": agent,
        "agent_cookie": session_cookie(agent, csrf),
        "supervisor": supervisor,
        "supervisor_cookie": session_cookie(supervisor, csrf),
        "report_path": report_path,
        "manager": manager,
        "manager_cookie": session_cookie(manager, csrf),
        "filer": filer,
        "filer_cookie": session_cookie(filer, csrf),
        "ticket_20": ticket_20,
        "queue_size": queue_size,
        "deep_cursor": keyset.cursor(deep_row["sla_due_at"], deep_row["pk"]),
        "filters": {"priority": "high", "category": "malfunction", "status": "open"},
        "searches": ["ошибка доступа", "license activation", "резервное", "backup"],
        "dashboard_path": dashboard_path,
        "ceiling_path": "/" + CEILING_PATH,
        "filing": {
            "csrfmiddlewaretoken": csrf,
            "licence": str(filer_licence.pk),
            "subject": "Bench {n}: сервер печати не отвечает",
            "description": "После обновления сервер печати не отвечает на запросы.\n\n"
            "Журнал прилагаю позже.",
            "category": "malfunction",
            "priority": "normal",
            "contact_email": filer.email,
            "contact_phone": "",
        },
        "organisation_tickets": manager.membership.organisation.tickets.count(),
        **_knowledge_personas(filer, filer_licence, csrf),
    }


def _knowledge_personas(filer, licence, csrf: str) -> dict:
    """The filer's knowledge base: articles they may read, a subject typed
    letter by letter (the requests the filing form sends), and searches."""
    from knowledge.models import Article, ArticleTranslation

    readable = ArticleTranslation.objects.filter(
        article__in=Article.objects.visible_to(filer).values("pk")
    ).order_by("pk")
    typing = []
    for subject in (
        "Не работает резервное копирование",
        "Ошибка активации лицензии",
        "Backup fails after upgrade",
        "Сертификаты TLS истекли",
        "Квоты печати не применяются",
    ):
        for end in range(6, len(subject) + 1, 4):
            typing.append(
                {
                    "csrfmiddlewaretoken": csrf,
                    "subject": subject[:end],
                    "licence": str(licence.pk),
                }
            )
    return {
        "kb_articles": [
            t.get_absolute_url()
            for t in readable[:: max(1, readable.count() // 40)][:40]
        ],
        "kb_typing": typing,
        "kb_searches": [
            "резервное копирование",
            "активация лицензии",
            "LDAP",
            "certificate expired",
            "обнавление версии",
            "квоты печати сервер",
        ],
    }


def count_queries(scenario: Scenario, host: str) -> tuple[int | None, float | None]:
    """SQL queries and milliseconds (the best of three) of one request alone,
    through django.test.Client on the same database; None for both when it
    outlasts IN_PROCESS_TIMEOUT_S."""
    from django.db import OperationalError, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host)
    for pair in scenario.cookie.split("; ") if scenario.cookie else []:
        name, _eq, value = pair.partition("=")
        client.cookies[name] = value

    def send(n: int):
        path = scenario.paths[0]
        if scenario.authorization:
            client.defaults["HTTP_AUTHORIZATION"] = scenario.authorization
        if scenario.content_type == "application/json":
            body = json.dumps(scenario.client_data, ensure_ascii=False)
            return client.post(
                path, body.replace("{n}", f"q{n}"), "application/json", secure=True
            )
        if scenario.method == "POST":
            data = {
                k: v.replace("{n}", f"q{n}") for k, v in scenario.client_data.items()
            }
            return client.post(path, data, secure=True)
        return client.get(path, secure=True)

    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {IN_PROCESS_TIMEOUT_S * 1000}")
    try:
        if not scenario.slow:
            send(0)  # the first request fills the process's caches
        timings = []
        for n in range(1 if scenario.slow else 3):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = send(n + 1)
                timings.append((time.perf_counter() - began) * 1000)
            if n == 0:
                queries = len(captured)
        elapsed = min(timings)
    except OperationalError:  # the statement timeout
        return None, None
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    if response.status_code != scenario.expect:
        raise SystemExit(
            f"{scenario.name}: {scenario.paths[0]} answered {response.status_code}, "
            f"expected {scenario.expect}"
        )
    return queries, round(elapsed, 1)


def settle(database_url: str, seconds: float = 10) -> int:
    """Wait for the server's queries to end, then cancel the stragglers (a
    request wrk gave up on still holds a worker); how many were cancelled."""
    import psycopg2

    name = urlparse(database_url).path.lstrip("/")
    deadline = time.monotonic() + seconds
    with psycopg2.connect(_admin_url(database_url)) as admin, admin.cursor() as cursor:
        admin.autocommit = True
        # A query older than a second is a straggler: no page takes that long.
        active = (
            "datname = %s AND state = 'active' AND backend_type = 'client backend' "
            "AND pid <> pg_backend_pid() AND now() - query_start > interval '1 second'"
        )
        while time.monotonic() < deadline:
            cursor.execute(
                f"SELECT count(*) FROM pg_stat_activity WHERE {active}", [name]
            )
            if cursor.fetchone()[0] == 0:
                return 0
            time.sleep(0.5)
        cursor.execute(
            f"SELECT left(query, 200), wait_event_type, wait_event, now() - query_start "
            f"FROM pg_stat_activity WHERE {active}",
            [name],
        )
        for row in cursor.fetchall():
            say(f"  still running: {row}")
        cursor.execute(
            f"SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE {active}",
            [name],
        )
        return cursor.fetchone()[0]


# Issue 22: the escalations' sweep over every ticket is a range of indexes;
# each clock's query for its due tickets, at most this long.
SWEEP_QUERY_MS = 500


def measure_escalation_sweep() -> dict:
    """One sweep of four escalations, one per clock, over the whole bench
    database, rolled back afterwards: how long asking for the due tickets
    takes (each clock's query, the plan's indexes) and the whole sweep with
    its actions (a tag on each ticket it acts on, 500 a rule at most)."""
    from django.db import connection, transaction

    from automation import escalations
    from automation.models import Action, Rule

    at = dt.datetime.now(dt.UTC)
    report: dict = {"clocks": {}}
    with transaction.atomic():
        rules = []
        for clock in Rule.Clock:
            rule = Rule.objects.create(
                kind=Rule.Kind.ESCALATION,
                name=f"bench: {clock}",
                clock=clock,
                after=8,
                unit=Rule.Unit.HOURS,
            )
            Action.objects.create(rule=rule, kind=Action.Kind.ADD_TAGS, value="bench")
            rules.append(rule)
        for rule in rules:
            due = escalations.due_tickets(rule, at).values_list("pk", flat=True)
            began = time.perf_counter()
            count = len(due[: escalations.BATCH])
            elapsed = time.perf_counter() - began
            with connection.cursor() as cursor:
                sql, params = due[: escalations.BATCH].query.sql_with_params()
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = " ".join(row[0] for row in cursor.fetchall())
            report["clocks"][rule.clock] = {
                "due_in_batch": count,
                "query_ms": round(elapsed * 1000, 1),
                "indexes": sorted(set(re.findall(r"using (\w+)", plan))),
                "seq_scan_on_tickets": "Seq Scan on tickets_ticket" in plan,
            }
        began = time.perf_counter()
        acted = escalations.escalate(at)
        report["sweep_s"] = round(time.perf_counter() - began, 2)
        report["acted"] = acted
        transaction.set_rollback(True)
    report["acted_per_s"] = round(acted / report["sweep_s"], 1) if acted else 0
    report["verdict"] = (
        "ok"
        if all(
            c["query_ms"] <= SWEEP_QUERY_MS and not c["seq_scan_on_tickets"]
            for c in report["clocks"].values()
        )
        else f"MISSES a clock's query >{SWEEP_QUERY_MS} ms or a sequential scan"
    )
    return report


def measure_exports(env: dict[str, str]) -> dict:
    """A month's and a year's tickets exported in each format, each in a
    process of its own: the year's peak memory must stay near the month's."""
    runs = []
    for fmt in ("csv", "xlsx"):
        for days in (30, 365):
            completed = subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "export_memory.py"),
                    f"--days={days}",
                    f"--format={fmt}",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            line = next(
                (x for x in completed.stdout.splitlines() if x.startswith("EXPORT ")),
                None,
            )
            if line is None:
                say(completed.stdout[-2000:] + completed.stderr[-3000:])
                raise SystemExit("bench/export_memory.py failed")
            runs.append(json.loads(line.removeprefix("EXPORT ")))
    grown = {(r["format"], r["days"]): r["grown_mb"] for r in runs}
    # How much more a year's export grew its process than a month's did.
    growth = {
        fmt: round(grown[fmt, 365] - grown[fmt, 30], 1) for fmt in ("csv", "xlsx")
    }
    return {
        "runs": runs,
        "growth_mb": growth,
        "target_growth_mb": EXPORT_GROWTH_MB,
        "verdict": "ok"
        if all(g <= EXPORT_GROWTH_MB for g in growth.values())
        and all(r["state"] == "done" for r in runs)
        else f"MISSES growth>{EXPORT_GROWTH_MB} MB or a failed export",
    }


def measure_bulk_upsert(port: int, authorization: str, seconds: int) -> dict:
    """The billing system's push: batches of a thousand new licences, one
    request after another, for `seconds` (three batches at least); every
    licence must come back created. Licences a second, end to end."""
    from accounts.models import Organisation

    tax_ids = list(Organisation.objects.values_list("tax_id", flat=True)[:100])
    run = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
    created = batches = wrong = 0
    timings = []
    began = time.monotonic()
    while batches < 3 or time.monotonic() - began < seconds:
        items = [
            {
                "number": f"{run}-{batches:04d}-{i:04d}-BULK",
                "tax_id": tax_ids[i % len(tax_ids)],
                "product": "Сервер приложений",
                "edition": "Standard",
                "purchased_on": dt.datetime.now(dt.UTC).date().isoformat(),
                "seats": 10,
            }
            for i in range(BULK_BATCH)
        ]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/licences/bulk/",
            data=json.dumps({"licences": items}).encode(),
            method="POST",
            headers={
                "Authorization": authorization,
                "Content-Type": "application/json",
                "X-Forwarded-Proto": "https",
            },
        )
        sent = time.monotonic()
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.load(response)
        timings.append(time.monotonic() - sent)
        created += answer["summary"]["created"]
        wrong += BULK_BATCH - answer["summary"]["created"]
        batches += 1
    elapsed = time.monotonic() - began
    return {
        "batches": batches,
        "licences": created,
        "not_created": wrong,
        "seconds": round(elapsed, 2),
        "licences_per_s": round(created / elapsed, 1),
        "slowest_batch_s": round(max(timings), 2),
    }


# -- 5. the load test ---------------------------------------------------------------


def load_test(port: int, seconds: int, users: int, csrf: str, workdir: Path) -> dict:
    from accounts.models import Licence, User
    from tickets.models import Ticket
    from tickets.services import licence_refusal

    marker = f"Load {secrets.token_hex(4)}"
    customers = []
    for user in (
        User.objects.filter(email__startswith="manager@org00", membership__isnull=False)
        .exclude(email="manager@org00001.bench")
        .order_by("email")[:200]
    ):
        licence = Licence.objects.filter(
            organisation=user.membership.organisation
        ).first()
        if licence is None or licence_refusal(licence):
            continue
        references = list(
            Ticket.objects.visible_to(user)
            .order_by("-created_at")
            .values_list("reference", flat=True)[:20]
        )
        customers.append(
            {
                "cookie": session_cookie(user, csrf),
                "licence": licence.pk,
                "email": user.email,
                "references": references,
            }
        )
        if len(customers) == users:
            break
    agents = [
        {"cookie": session_cookie(user, csrf)}
        for user in User.objects.filter(is_staff=True).order_by("email")[:users]
    ]
    open_references = list(
        Ticket.objects.open().by_sla_due().values_list("reference", flat=True)[:2000]
    )
    plan = workdir / "load_plan.json"
    plan.write_text(
        json.dumps(
            {
                "csrf": csrf,
                "marker": marker,
                "customers": customers,
                "agents": agents,
                "open_references": open_references,
                "origin": f"https://127.0.0.1:{port}",
            }
        )
    )
    before = Ticket.objects.count()
    prefix = workdir / "locust"
    filed_log = workdir / "filed.txt"
    filed_log.write_text("")
    completed = subprocess.run(
        [
            str(BIN / "locust"),
            "--locustfile",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            "10",
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "10",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "BENCH_LOAD_PLAN": str(plan),
            "BENCH_LOAD_FILED": str(filed_log),
        },
        capture_output=True,
        text=True,
    )
    import csv

    with open(f"{prefix}_stats.csv", newline="") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    total = stats["Aggregated"]
    filed = set(filed_log.read_text().split())
    found = Ticket.objects.filter(reference__in=filed).count()
    marked = Ticket.objects.filter(subject__startswith=marker).count()
    result = {
        "users": users,
        "seconds": seconds,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        # Every ticket a customer was told was filed is in the database; the
        # marked ones may be more (a request cut off by the end of the run).
        "tickets_filed": len(filed),
        "tickets_found": found,
        "lost_tickets": len(filed) - found,
        "tickets_in_database": marked,
        "tickets_total_before": before,
        "locust_exit_code": completed.returncode,
        "by_request": {
            name: {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p95_ms": float(row["95%"]),
            }
            for name, row in stats.items()
            if name != "Aggregated"
        },
    }
    if completed.returncode != 0 or result["failures"]:
        say(completed.stderr[-3000:])
    return result


# -- 6, 7. in-process figures, the report ------------------------------------------


def inprocess(env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "inprocess.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    line = next(
        (x for x in completed.stdout.splitlines() if x.startswith("INPROCESS ")), None
    )
    if line is None:
        say(completed.stdout[-2000:] + completed.stderr[-3000:])
        raise SystemExit("bench/inprocess.py failed")
    return json.loads(line.removeprefix("INPROCESS "))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def _ceilings_beside(results: list[dict], index: int) -> list[float]:
    """The requests a second of the ceiling runs just before and just after
    the result at `index` (the one before alone for the last ones)."""
    before = [r["rps"] for r in results[:index] if r["name"] == "ceiling"][-1:]
    after = [r["rps"] for r in results[index + 1 :] if r["name"] == "ceiling"][:1]
    return before + after or [r["rps"] for r in results if r["name"] == "ceiling"]


def verdict(scenario: dict) -> str:
    if not scenario["requests"]:
        return "MISSES: no request finished in the run"
    misses = []
    for kind, limit in scenario.get("targets", []):
        if kind == "p95_ms" and scenario["p95_ms"] > limit:
            misses.append(f"p95>{limit:g}ms")
        if kind == "share" and scenario["ceiling_share"] < limit:
            misses.append(f"share<{limit:.0%}")
        if kind == "rps" and scenario["rps"] < limit:
            misses.append(f"rps<{limit:g}")
    if not scenario.get("targets"):
        return ""
    return "ok" if not misses else "MISSES " + ", ".join(misses)


def print_table(report: dict) -> None:
    say("")
    say(
        f"{'scenario':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'queries':>7} {'ceiling':>8}  target"
    )
    ceiling = report["ceiling"]
    say(
        f"{'ceiling':<20} {ceiling['rps']:>8.1f} {ceiling['p50_ms']:>8.1f} "
        f"{ceiling['p95_ms']:>8.1f} {ceiling['p99_ms']:>8.1f} {ceiling['queries']:>7} "
        f"{'100%':>8}  mean of "
        + ", ".join(f"{run['rps']:.0f}" for run in ceiling["runs"])
        + " req/s"
    )
    for row in report["scenarios"]:
        if row.get("skipped"):
            say(f"{row['name']:<20} skipped: {row['skipped']}")
            continue
        say(
            f"{row['name']:<20} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['queries']:>7} "
            f"{row['ceiling_share']:>8.0%}  {row['verdict']} "
            f"(of {row['ceiling_rps']:.0f} req/s)"
        )
    bulk = report.get("bulk_licence_upsert")
    if bulk:
        say(
            f"{'api_licence_bulk':<20} {bulk['licences_per_s']:>8.1f} licences/s in "
            f"batches of {BULK_BATCH}, slowest {bulk['slowest_batch_s']} s  "
            f"{bulk['verdict']}"
        )
    load = report.get("load_test")
    if load:
        say(
            f"\nload test: {load['users']} users for {load['seconds']} s: "
            f"{load['requests']:,} requests, {load['failures']} failed, "
            f"{load['rps']} req/s, p95 {load['p95_ms']:.0f} ms; tickets filed "
            f"{load['tickets_filed']}, found in the database {load['tickets_found']}, "
            f"lost {load['lost_tickets']}"
        )
    say(
        "\nin-process: "
        + ", ".join(f"{k} {v:,}" for k, v in report["inprocess"].items())
    )


def main() -> int:
    # Stopped from outside: still stop gunicorn and locust (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="per scenario")
    parser.add_argument("--load-seconds", type=int, default=120)
    parser.add_argument("--load-users", type=int, default=50)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--no-load-test", action="store_true")
    parser.add_argument("--no-inprocess", action="store_true")
    parser.add_argument(
        "--triggers",
        type=int,
        default=100,
        help="active triggers during the run (issue 22's target: 100)",
    )
    parser.add_argument(
        "--no-acting-trigger",
        action="store_true",
        help="none of the triggers matches the filings (the cost of looking alone)",
    )
    parser.add_argument("--output", default="", help="the JSON file to write")
    parser.add_argument(
        "--seed-only", action="store_true", help="prepare the database and stop"
    )
    args = parser.parse_args()

    server_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk_bench"
    )
    database_url = (
        urlparse(server_url)._replace(path=f"/helpdesk_bench_{args.tickets}").geturl()
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    check_services(
        database_url,
        redis_url,
        wrk=not args.seed_only,
        locust=not (args.seed_only or args.no_load_test),
    )

    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DEBUG": "false",
        # A release of its own, as a deploy has: nothing cached by an earlier
        # run (of other code) is read.
        "RELEASE": f"bench-{secrets.token_hex(4)}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "SUPPORT_EMAIL": "support@helpdesk.example",
        "TRUST_X_FORWARDED_PROTO": "true",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "CONN_MAX_AGE": os.environ.get("BENCH_CONN_MAX_AGE", "60"),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": "WARNING",
        # The bench measures the server, not a token's rate limit (429s).
        "API_RATE": "1000000/min",
        "PYTHONPATH": str(ROOT),
    }
    seed = prepare_database(database_url, args.tickets, env)
    seed_knowledge(env)
    if args.seed_only:
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    django_setup(env)
    csrf = secrets.token_hex(16)
    personas = find_personas(csrf)
    from bench import triggers

    active = triggers.install(args.triggers, acting=not args.no_acting_trigger)
    say(
        f"triggers: {active} active, "
        + ("none acting" if args.no_acting_trigger else "one acting on each filing")
    )
    say(
        f"queue: {personas['queue_size']:,} open tickets; big organisation: "
        f"{personas['organisation_tickets']:,} tickets; ticket with 20 messages: "
        f"{personas['ticket_20']}"
    )
    scenarios = build_scenarios(personas)
    if args.only:
        wanted = {"ceiling", *args.only.split(",")}
        kept = [s for s in scenarios if s.name in wanted]
        # One ceiling between two pages, not one for each page left out.
        scenarios = [
            s
            for i, s in enumerate(kept)
            if not (s.name == "ceiling" and i and kept[i - 1].name == "ceiling")
        ]

    port = free_port()
    log = workdir / "gunicorn.log"
    server = start_server(env, port, log)
    results = []
    failed = False
    try:
        for scenario in scenarios:
            if scenario.skipped:
                say(f"{scenario.name}: skipped ({scenario.skipped})")
                results.append({"name": scenario.name, "skipped": scenario.skipped})
                continue
            queries, alone_ms = count_queries(scenario, "127.0.0.1")
            figures = run_wrk(scenario, port, args.seconds)
            cancelled = settle(database_url)
            say(
                f"{scenario.name}: {figures['rps']} req/s, p95 {figures['p95_ms']} ms, "
                f"{queries} queries, {alone_ms} ms alone in-process; CPU ms a request: "
                + ", ".join(
                    f"{k} {v}" for k, v in figures["cpu_ms_per_request"].items()
                )
            )
            if figures["errors"] or figures["unexpected_status"]:
                failed = True
                say(
                    f"  {figures['errors']} errors, {figures['unexpected_status']} unexpected answers"
                )
            if figures["timeouts"] or cancelled:
                say(
                    f"  {figures['timeouts']} requests timed out (30 s), "
                    f"{cancelled} queries cancelled afterwards"
                )
            results.append(
                {
                    "name": scenario.name,
                    "rps": figures["rps"],
                    "p50_ms": figures["p50_ms"],
                    "p95_ms": figures["p95_ms"],
                    "p99_ms": figures["p99_ms"],
                    "queries": queries,
                    "requests": figures["requests"],
                    "errors": figures["errors"] + figures["unexpected_status"],
                    "timeouts": figures["timeouts"],
                    # One request alone, in-process (django.test.Client).
                    "inprocess_ms": alone_ms,
                    # Where the time went, from /proc: the page's Python
                    # (gunicorn), the database's and Redis's work.
                    "cpu_ms_per_request": figures["cpu_ms_per_request"],
                    "targets": scenario.targets,
                    # Other work on the machine shows here (2 cores: above 2
                    # means something else wanted the cores too).
                    "load_average": round(os.getloadavg()[0], 2),
                }
            )
        bulk = None
        if not args.only or "api_licence_bulk" in args.only.split(","):
            bulk = measure_bulk_upsert(port, personas["api_billing"], args.seconds)
            bulk["target_licences_per_s"] = BULK_LICENCES_PER_S
            bulk["verdict"] = (
                "ok"
                if bulk["licences_per_s"] >= BULK_LICENCES_PER_S
                else f"MISSES licences/s<{BULK_LICENCES_PER_S}"
            )
            say(
                f"api_licence_bulk: {bulk['licences_per_s']} licences/s "
                f"({bulk['batches']} batches of {BULK_BATCH}), {bulk['verdict']}"
            )
            failed |= bool(bulk["not_created"])
        sweep = None
        if not args.only or "escalation_sweep" in args.only.split(","):
            sweep = measure_escalation_sweep()
            say(
                f"escalation_sweep: {sweep['acted']} tickets acted on in "
                f"{sweep['sweep_s']} s ({sweep['acted_per_s']}/s); "
                + ", ".join(
                    f"{clock} {c['query_ms']} ms ({', '.join(c['indexes'])})"
                    for clock, c in sweep["clocks"].items()
                )
                + f"; {sweep['verdict']}"
            )
            failed |= sweep["verdict"] != "ok"
        exports = None
        if not args.only or "exports" in args.only.split(","):
            exports = measure_exports(env)
            say(
                "exports: "
                + ", ".join(
                    f"{r['format']} {r['days']} days {r['tickets']:,} tickets "
                    f"{r['seconds']} s, grew {r['grown_mb']} MB"
                    for r in exports["runs"]
                )
                + f"; growth {exports['growth_mb']}; {exports['verdict']}"
            )
            failed |= exports["verdict"] != "ok"
        load = None
        if not args.no_load_test:
            say(f"load test: {args.load_users} users for {args.load_seconds} s")
            load = load_test(port, args.load_seconds, args.load_users, csrf, workdir)
            failed |= bool(
                load["failures"] or load["lost_tickets"] or load["locust_exit_code"]
            )
    finally:
        server.terminate()
        server.wait(timeout=30)

    ceilings = [r for r in results if r["name"] == "ceiling"]
    ceiling = {
        key: round(sum(r[key] for r in ceilings) / len(ceilings), 2)
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
    }
    ceiling["queries"] = ceilings[0]["queries"]
    ceiling["runs"] = [
        {key: r[key] for key in ("rps", "p95_ms", "load_average")} for r in ceilings
    ]
    scenarios_out = []
    for index, row in enumerate(results):
        if row["name"] == "ceiling":
            continue
        if not row.get("skipped"):
            beside = _ceilings_beside(results, index)
            row["ceiling_rps"] = round(sum(beside) / len(beside), 1)
            row["ceiling_share"] = round(row["rps"] / row["ceiling_rps"], 3)
            row["verdict"] = verdict(row)
        scenarios_out.append(row)
    report = {
        "tickets": args.tickets,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "setup": {
            "server": f"gunicorn, {WORKERS} sync workers, 127.0.0.1, DEBUG=false, "
            f"CONN_MAX_AGE={env['CONN_MAX_AGE']}, Redis cache and broker",
            "load": f"wrk, 1 thread, {CONNECTIONS} connections, {args.seconds} s "
            "a scenario after a 2 s warm-up; PostgreSQL, gunicorn and wrk share the cores",
            "queue_open_tickets": personas["queue_size"],
            "organisation_tickets": personas["organisation_tickets"],
        },
        "seed": seed,
        "ceiling": ceiling,
        "scenarios": scenarios_out,
        "load_test": load,
        "bulk_licence_upsert": bulk,
        "escalation_sweep": sweep,
        "exports": exports,
        "inprocess": {},
    }
    if not args.no_inprocess:
        report["inprocess"] = inprocess(
            {
                **os.environ,
                "DATABASE_URL": urlparse(server_url)
                ._replace(path="/helpdesk_bench_inprocess")
                .geturl(),
                # Eager tasks and mail kept in memory: nothing leaves the process
                # except the outbox's own SMTP sink.
                "CELERY_BROKER_URL": "",
                "EMAIL_URL": "memorymail://",
                "MEDIA_ROOT": str(workdir / "inprocess-media"),
                "LOG_LEVEL": "WARNING",
            }
        )
    print_table(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = (
        Path(args.output)
        if args.output
        else (RESULTS / f"{dt.datetime.now(dt.UTC):%Y-%m-%d}-{args.tickets}.json")
    )
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    say(
        f"\nwritten to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}"
    )
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
