"""What `GET /healthz` reports: each configured dependency, probed cheaply."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection

from helpdesk import cache
from helpdesk.celery import app as celery_app

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "not configured"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    cache.check_cache()
    return "ok"


def check_broker() -> str:
    if celery_app.conf.task_always_eager:
        return NOT_CONFIGURED
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure of a dependency is a reportable state
            # The class only: messages can name hosts and users of the stack.
            logger.warning("Health check %s failed: %s", name, exc)
            results[name] = f"error: {type(exc).__name__}"
            healthy = False
    return healthy, results
