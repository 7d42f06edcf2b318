"""One export of the bench's tickets in a process of its own, its resident
memory sampled while it runs:

    python bench/export_memory.py --days 365 --format xlsx

Prints `EXPORT {json}`: the tickets written, the seconds, the resident
memory when the export began and the most it reached while it ran, and the
file's size. (The process's own peak, ru_maxrss, says nothing here: Django's
start-up reaches more than an export adds.) `bench/run.py` runs it for a
month and a year in each format; constant memory means the year grows the
process about as much as the month does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class Sampler(threading.Thread):
    """The most resident memory seen, every 20 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.most = resident_mb()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.most = max(self.most, resident_mb())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, required=True)
    parser.add_argument("--format", choices=["csv", "xlsx"], required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.utils.timezone import localdate

    from accounts.models import User
    from reports.exports import write_export
    from reports.models import Export

    last = localdate() - dt.timedelta(days=1)
    export = Export.objects.create(
        requested_by=User.objects.get(email="supervisor38@support.bench"),
        format=args.format,
        first=last - dt.timedelta(days=args.days - 1),
        last=last,
    )
    began_rss = resident_mb()
    sampler = Sampler()
    sampler.start()
    began = time.perf_counter()
    export = write_export(export)
    seconds = time.perf_counter() - began
    sampler.done.set()
    sampler.join()
    size = export.file.size if export.file else 0
    export.file.delete(save=False)
    export.delete()
    print(
        "EXPORT "
        + json.dumps(
            {
                "days": args.days,
                "format": args.format,
                "state": export.state,
                "tickets": export.rows_done,
                "seconds": round(seconds, 1),
                "rss_before_mb": round(began_rss, 1),
                "rss_peak_mb": round(max(sampler.most, resident_mb()), 1),
                "grown_mb": round(max(sampler.most, resident_mb()) - began_rss, 1),
                "file_mb": round(size / 1024 / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
