"""One export of the bench's tickets in a process of its own, so that its
peak memory (the process's maximum resident set) is the export's alone:

    python bench/export_memory.py --days 365 --format xlsx

Prints `EXPORT {json}`: the tickets written, the seconds, the peak resident
memory and the file's size. `bench/run.py` runs it for a month and a year in
each format; constant memory means the year's peak is about the month's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    began_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    export = write_export(export)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
                # Kilobytes on Linux.
                "rss_before_mb": round(began_rss / 1024, 1),
                "rss_peak_mb": round(peak / 1024, 1),
                "file_mb": round(size / 1024 / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
