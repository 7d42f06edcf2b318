"""In-process figures for `make bench`: no HTTP, one core, a throw-away database.

Prints one line `INPROCESS {...}` (JSON) for bench/run.py, and the figures
for people. It builds a test database with the migrations (the shipped
calendars included), so nothing here touches the seeded bench database:

- `schedule.current.status()` calls a second once the calendar is warm, and
  that a warm call makes no query (the check the old tests/bench kept);
- `add_business_time` calls a second (the SLA deadline of every ticket);
- e-mail ingest: messages a second through `ingest()` (store, parse, route)
  over the 51-message test corpus of tests/tickets/email/corpus;
- outbox: `deliver()` sends a second to an SMTP sink on 127.0.0.1 (aiosmtpd);
- triggers: what running the triggers of a filed ticket costs with the 100
  active triggers of bench/triggers.py (issue 22: at most 5 ms at p95).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from schedule import current  # noqa: E402
from schedule.hours import MOSCOW  # noqa: E402

CORPUS = ROOT / "tests" / "tickets" / "email" / "corpus"
STATUS_CALLS = 200_000
BUSINESS_TIME_CALLS = 50_000
INGEST_ROUNDS = 3
OUTBOX_SENDS = 300


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned"


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


def best_rate(calls: int, action, rounds: int = 3) -> float:
    best = 0.0
    for _round in range(rounds):
        began = time.perf_counter()
        action()
        best = max(best, calls / (time.perf_counter() - began))
    return best


def schedule_figures() -> dict[str, float | int]:
    instants = random_instants(STATUS_CALLS)
    with CaptureQueriesContext(connection) as cold:
        current.status(instants[0])
    for at in instants:  # warm: every day of the three years computed once
        current.status(at)
    with CaptureQueriesContext(connection) as warm:
        for at in instants[:20_000]:
            current.status(at)
    status = current.status

    def all_status() -> None:
        for at in instants:
            status(at)

    durations = [
        dt.timedelta(minutes=random.Random(n).randrange(15, 60 * 80))
        for n in range(BUSINESS_TIME_CALLS)
    ]
    starts = instants[:BUSINESS_TIME_CALLS]
    add = current.add_business_time

    def all_add() -> None:
        for start, duration in zip(starts, durations, strict=True):
            add(start, duration)

    all_add()
    return {
        "schedule_status_per_s": round(best_rate(STATUS_CALLS, all_status)),
        "schedule_status_cold_queries": len(cold),
        "schedule_status_warm_queries": len(warm),
        "add_business_time_per_s": round(best_rate(BUSINESS_TIME_CALLS, all_add)),
    }


MESSAGE_ID = re.compile(rb"^Message-ID:[^\n]*\n", re.IGNORECASE | re.MULTILINE)


def ingest_figures() -> dict[str, float | int]:
    from tickets.email.incoming import ingest

    corpus = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    if not corpus:
        # A moved corpus once made this figure a silent 0.
        raise SystemExit(f"ingest: no messages in {CORPUS}")
    messages = 0
    began = time.perf_counter()
    for round_number in range(INGEST_ROUNDS):
        for n, raw in enumerate(corpus):
            # A new Message-ID each round, so a round is not a duplicate.
            fresh = f"Message-ID: <bench.{round_number}.{n}@bench.invalid>\n".encode()
            raw = MESSAGE_ID.sub(b"", raw, count=1)
            ingest(fresh + raw, source="file")
            messages += 1
    elapsed = time.perf_counter() - began
    return {
        "ingest_messages_per_s": round(messages / elapsed, 1),
        "ingest_corpus_messages": len(corpus),
    }


FILINGS = 300


def trigger_figures() -> dict[str, float | int]:
    """The time `automation.engine.run_rules` takes for each filing (its
    outermost call: the routing and the triggers of "filed", with whatever
    they set off), with bench/triggers.py's triggers active."""
    from django.core.signals import request_finished, request_started

    from automation import engine
    from bench import triggers
    from tests.factories import LicenceFactory, MembershipFactory
    from tickets.services import open_ticket

    active = triggers.install()
    membership = MembershipFactory()
    licence = LicenceFactory(organisation=membership.organisation)
    timings: list[float] = []
    run_rules = engine.run_rules

    def timed(happening):
        if engine._chain.get():
            return run_rules(happening)
        began = time.perf_counter()
        try:
            return run_rules(happening)
        finally:
            timings.append((time.perf_counter() - began) * 1000)

    engine.run_rules = timed
    figures: dict[str, float | int] = {"triggers_active": active}
    try:
        # None matches (the cost of looking), then one matches and tags it
        # (looking and acting).
        for name, subject in (
            ("triggers_none_match", "Bench {n}: не открывается отчёт"),
            ("triggers_one_acts", "Bench {n}: сервер печати не отвечает"),
        ):
            timings.clear()
            for n in range(FILINGS):
                # As in a request: the cached rules are kept in process.
                request_started.send(sender=None)
                open_ticket(
                    contact=membership.user,
                    licence=licence,
                    subject=subject.format(n=n),
                    description="После обновления не работает.",
                    category="malfunction",
                )
                request_finished.send(sender=None)
            timings.sort()
            figures[f"{name}_p50_ms"] = round(timings[len(timings) // 2], 2)
            figures[f"{name}_p95_ms"] = round(timings[int(len(timings) * 0.95)], 2)
    finally:
        engine.run_rules = run_rules
    return figures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def outbox_figures() -> dict[str, float | int]:
    from aiosmtpd.controller import Controller

    from outbox.email import deliver, new_message_id
    from outbox.models import OutgoingEmail

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope) -> str:
            Sink.received += 1
            return "250 OK"

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        rows = OutgoingEmail.objects.bulk_create(
            OutgoingEmail(
                to=[f"customer{n}@example.com"],
                subject=f"[HD-2026-{n:06d}] Служба не запускается",
                body="Здравствуйте!\n\nМы ответили на ваше обращение.\n" * 5,
                html_body="<p>Здравствуйте!</p><p>Мы ответили на ваше обращение.</p>",
                headers={"Message-ID": (mid := new_message_id())},
                message_id=mid,
            )
            for n in range(OUTBOX_SENDS)
        )
        began = time.perf_counter()
        sent = sum(deliver(row.pk) for row in rows)
        elapsed = time.perf_counter() - began
    finally:
        controller.stop()
    if sent != OUTBOX_SENDS or Sink.received != OUTBOX_SENDS:
        raise SystemExit(f"outbox: sent {sent}, the sink got {Sink.received}")
    return {"outbox_sends_per_s": round(sent / elapsed, 1)}


def main() -> int:
    print(f"in-process figures: Python {sys.version.split()[0]}, {pin_to_one_core()}")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    media = tempfile.TemporaryDirectory()
    settings.MEDIA_ROOT = media.name
    try:
        figures = schedule_figures()
        figures.update(ingest_figures())
        figures.update(outbox_figures())
        figures.update(trigger_figures())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        media.cleanup()
    for name, number in figures.items():
        print(f"  {name}: {number:,}")
    print("INPROCESS " + json.dumps(figures))
    # A warm status() that queries would make every page pay for it.
    return 0 if figures["schedule_status_warm_queries"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
