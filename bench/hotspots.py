"""One scenario's requests under cProfile, or timed alone, in this process.

    .venv/bin/python bench/hotspots.py --tickets 20000 queue            # top functions
    .venv/bin/python bench/hotspots.py --tickets 20000 --time queue ticket_20_messages
    .venv/bin/python bench/hotspots.py file_ticket   # a POST: a new ticket each time

The same settings, personas and cookies as `bench/instructions.py`, through
`django.test.Client`, after three warm-up requests. `--time` prints the best
and the median of five rounds of twenty requests, in milliseconds a request;
these move by a millisecond or two between runs on a shared machine, so
instruction counts decide, and this finds where to look.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.instructions import bench_env  # noqa: E402

BROKER = "redis://127.0.0.1:6379/6"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--time", action="store_true", help="time, do not profile")
    parser.add_argument(
        "--queries",
        action="store_true",
        help="list one request's queries with their times, do not profile",
    )
    parser.add_argument(
        "--full", action="store_true", help="with --queries: each query whole"
    )
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument(
        "--callers", default="", help="who calls functions matching this"
    )
    args = parser.parse_args()

    env = bench_env(args.tickets)
    # Tasks queued as the server queues them (not run eagerly here, as they
    # are not in gunicorn), on a broker of their own, emptied at the end.
    env["CELERY_BROKER_URL"] = BROKER
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    from django.test import Client

    from bench.run import build_scenarios, django_setup, find_personas

    django_setup(env)
    personas = find_personas(secrets.token_hex(16))
    scenarios = {s.name: s for s in build_scenarios(personas)}
    for name in args.scenarios:
        scenario = scenarios[name]
        client = Client(HTTP_HOST="127.0.0.1")
        for pair in scenario.cookie.split("; ") if scenario.cookie else []:
            key, _eq, value = pair.partition("=")
            client.cookies[key] = value
        if scenario.authorization:
            client.defaults["HTTP_AUTHORIZATION"] = scenario.authorization
        path = scenario.paths[0]
        sent = iter(range(10**9))

        def send(client=client, scenario=scenario, path=path, sent=sent) -> int:
            if scenario.method == "GET":
                return client.get(path, secure=True).status_code
            # As wrk sends it: "{n}" numbers each request's body; several
            # bodies are sent in turn.
            n = next(sent)
            body = (
                scenario.bodies[n % len(scenario.bodies)]
                if scenario.bodies
                else scenario.body.replace("{n}", f"hotspots-{n}")
            )
            return client.generic(
                scenario.method,
                path,
                body,
                content_type=scenario.content_type
                or "application/x-www-form-urlencoded",
                secure=True,
            ).status_code

        for _warm_up in range(3):
            status = send()
            assert status == scenario.expect, (name, status)
        if args.queries:
            print_queries(name, send, full=args.full)
            continue
        if args.time:
            rounds = []
            for _round in range(5):
                start = time.perf_counter()
                for _n in range(args.requests):
                    send()
                rounds.append((time.perf_counter() - start) * 1000 / args.requests)
            print(
                f"{name}: best {min(rounds):.2f} ms, median {statistics.median(rounds):.2f} ms"
            )
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _n in range(args.requests):
            send()
        profiler.disable()
        print(f"== {name}: {args.requests} requests")
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
    return 0


def print_queries(name: str, send, *, full: bool = False) -> None:
    """The database's part of one request: each query and how long it took
    (whole with `full`, for EXPLAIN)."""
    from django.db import connection

    timed: list[tuple[float, str, object]] = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(
                ((time.perf_counter() - start) * 1000, " ".join(sql.split()), params)
            )

    start = time.perf_counter()
    with connection.execute_wrapper(timer):
        send()
    total = (time.perf_counter() - start) * 1000
    in_database = sum(ms for ms, _sql, _params in timed)
    print(
        f"== {name}: {total:.1f} ms, {len(timed)} queries, {in_database:.1f} ms "
        "waiting for the database"
    )
    for ms, sql, params in timed:
        print(f"{ms:7.2f}  {f'{sql} -- {params}' if full else sql[:150]}")


def empty_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    finally:
        empty_broker()
