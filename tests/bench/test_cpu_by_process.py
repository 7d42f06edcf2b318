"""Where a scenario's CPU time goes: each process kind's milliseconds a request."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bench.run import cpu_ms_per_request, cpu_seconds_by_process


def test_a_process_started_meanwhile_counts_whole_one_ended_is_lost() -> None:
    before = {1: ("postgres", 1.0), 2: ("gunicorn", 2.0), 4: ("postgres", 5.0)}
    after = {1: ("postgres", 1.5), 2: ("gunicorn", 4.0), 3: ("postgres", 0.25)}

    assert cpu_ms_per_request(before, after, 1000) == {
        "postgres": 0.75,
        "gunicorn": 2.0,
    }


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_busy_process_is_found_by_its_kind_with_its_time() -> None:
    # A stand-in named like a gunicorn worker, busy for a second.
    busy = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.time() + 1\nwhile time.time() < end: pass",
            "gunicorn",
        ]
    )
    try:
        time.sleep(0.1)
        before = cpu_seconds_by_process()
        time.sleep(0.5)
        after = cpu_seconds_by_process()
    finally:
        busy.kill()
        busy.wait()

    assert before[busy.pid][0] == after[busy.pid][0] == "gunicorn"
    assert after[busy.pid][1] - before[busy.pid][1] >= 0.1
