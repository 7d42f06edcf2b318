"""One scenario's requests under cProfile, or timed alone, in this process.

    .venv/bin/python bench/hotspots.py --tickets 20000 queue            # top functions
    .venv/bin/python bench/hotspots.py --tickets 20000 --time queue ticket_20_messages

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--time", action="store_true", help="time, do not profile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()

    env = bench_env(args.tickets)
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
        for _warm_up in range(3):
            status = client.get(path, secure=True).status_code
            assert status == 200, (name, status)
        if args.time:
            rounds = []
            for _round in range(5):
                start = time.perf_counter()
                for _n in range(args.requests):
                    client.get(path, secure=True)
                rounds.append((time.perf_counter() - start) * 1000 / args.requests)
            print(
                f"{name}: best {min(rounds):.2f} ms, median {statistics.median(rounds):.2f} ms"
            )
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _n in range(args.requests):
            client.get(path, secure=True)
        profiler.disable()
        print(f"== {name}: {args.requests} requests")
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
