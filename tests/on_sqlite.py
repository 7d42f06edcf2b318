"""Running a script against a fresh SQLite file, as `make run` uses: in a
child process, since the test process is bound to PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings


def run_on_sqlite(script: str, tmp_path: Path, *, demo: bool = False) -> Any:
    """Run `script` (which sets Django up and prints JSON as its last line)
    on a new SQLite database in `tmp_path`; what it printed, parsed."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "CELERY_BROKER_URL": "",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    if demo:
        env |= {"DEMO": "true", "ALLOWED_HOSTS": "testserver"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
