"""Instructions a request costs, counted by callgrind: steadier than a clock.

    .venv/bin/python bench/instructions.py [--tickets N] [--requests 10] queue ticket_20_messages

Needs valgrind and a database seeded by `make bench` of that size. Each page
runs in a process of its own under `valgrind --tool=callgrind` with
instrumentation off; after three warm-up requests (caches filled) it is
switched on (`callgrind_control -i on`) for the measured requests only.
Through `django.test.Client`, so the count is Python's share of the work, not
PostgreSQL's or Redis's. The same code and data give the same count to about
0.1 %, whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(scenario_name: str, requests: int, signal_dir: Path) -> None:
    from django.test import Client

    from bench.run import build_scenarios, django_setup, find_personas

    django_setup({})
    personas = find_personas(secrets.token_hex(16))
    # The ceiling is listed twice (measured before and after the pages).
    scenario = next(s for s in build_scenarios(personas) if s.name == scenario_name)
    client = Client(HTTP_HOST="127.0.0.1")
    for pair in scenario.cookie.split("; ") if scenario.cookie else []:
        name, _eq, value = pair.partition("=")
        client.cookies[name] = value
    for _warm_up in range(3):
        assert client.get(scenario.paths[0], secure=True).status_code == 200
    (signal_dir / "ready").touch()
    while not (signal_dir / "go").exists():
        time.sleep(0.1)
    for _n in range(requests):
        client.get(scenario.paths[0], secure=True)
    (signal_dir / "done").touch()
    while (signal_dir / "done").exists():
        time.sleep(0.1)


def count(scenario: str, requests: int, env: dict[str, str]) -> int:
    """Instructions a request of the scenario costs, on average."""
    work = Path(tempfile.mkdtemp(prefix="helpdesk-callgrind-"))
    out = work / "callgrind.out"
    process = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            scenario,
            "--requests",
            str(requests),
            "--signals",
            str(work),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def wait_for(name: str) -> None:
        while not (work / name).exists():
            if process.poll() is not None:
                raise SystemExit(f"{scenario}: the measured process ended early")
            time.sleep(0.2)

    def instrumentation(state: str) -> None:
        subprocess.run(
            ["callgrind_control", "-i", state, str(process.pid)],
            check=True,
            capture_output=True,
        )

    wait_for("ready")
    instrumentation("on")
    (work / "go").touch()
    wait_for("done")
    instrumentation("off")
    (work / "done").unlink()
    process.wait()
    totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    return int(totals.group(1)) // requests


def bench_env(tickets: int) -> dict[str, str]:
    """The environment of the bench's server, on the database of that size."""
    server = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk_bench"
    )
    return {
        **os.environ,
        "DATABASE_URL": re.sub(r"/[^/]*$", f"/helpdesk_bench_{tickets}", server),
        "CACHE_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "DEBUG": "false",
        # A release of its own, as a deploy has: nothing cached by an earlier
        # run (of other code) is read.
        "RELEASE": f"bench-{secrets.token_hex(4)}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "SUPPORT_EMAIL": "support@helpdesk.example",
        "TRUST_X_FORWARDED_PROTO": "true",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="helpdesk-static-"),
        "CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="*", default=["ceiling", "queue"])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--child", default="")
    parser.add_argument("--signals", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.requests, Path(args.signals))
        return 0
    env = bench_env(args.tickets)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    for scenario in args.scenarios:
        instructions = count(scenario, args.requests, env)
        print(f"{scenario}: {instructions:,} instructions a request", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
