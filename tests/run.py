"""`make test`: the browser tests (and a few slow others) and the rest in
two processes at once.

The browser tests spend their time in Chromium and a live server, the
others mostly wait on PostgreSQL, so on two cores the two halves overlap
well; one after the other they came near the 20 minutes CI allows. Each
half has a test database and a Celery broker database of its own, so
neither sees the other's rows or tasks. The browser half's report is
printed after the other's. Arguments, if any, go to one plain pytest run.

    python -m tests.run [pytest arguments]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
BROWSER = "tests/browser"
# Slow files that need no browser, run beside the browser tests so that both
# halves end at about the same time (the other half was the longer by far).
BESIDE_BROWSER = ["tests/security/test_xss_corpus.py", "tests/scaleout"]
SECOND_HALF = [BROWSER, *BESIDE_BROWSER]


def _database_of_its_own(url: str) -> str:
    """The same server, another database: pytest-django names its test
    database after it (test_<name>_browser)."""
    parts = urlsplit(url)
    if not parts.path.strip("/"):
        return url  # SQLite in memory: each process has its own anyway
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_browser"))


def _broker_of_its_own(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme.startswith("redis"):
        return url
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))


def browser_environment(environ: dict[str, str]) -> dict[str, str]:
    env = dict(environ)
    for name, own in (
        ("DATABASE_URL", _database_of_its_own),
        ("CELERY_BROKER_URL", _broker_of_its_own),
    ):
        if env.get(name):
            env[name] = own(env[name])
    return env


def main(arguments: list[str]) -> int:
    if arguments:
        return subprocess.call([*PYTEST, *arguments])
    with tempfile.TemporaryFile(mode="w+") as report:
        browser = subprocess.Popen(
            [*PYTEST, *SECOND_HALF],
            env=browser_environment(dict(os.environ)),
            stdout=report,
            stderr=subprocess.STDOUT,
        )
        others = subprocess.call(
            [*PYTEST, *(f"--ignore={path}" for path in SECOND_HALF)]
        )
        browsers = browser.wait()
        report.seek(0)
        print(f"\n===== {' '.join(SECOND_HALF)} =====", flush=True)
        sys.stdout.write(report.read())
    return others or browsers


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
