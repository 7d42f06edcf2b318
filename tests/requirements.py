"""Tests that need a real service skip locally when it is absent, and fail under CI."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    if available:
        return
    if under_ci():
        pytest.fail(f"{reason} (CI=true: this service must be present)")
    pytest.skip(reason)


def port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def redis_url() -> str:
    return os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"


def require_redis() -> str:
    url = redis_url()
    require(
        url.startswith("redis") and port_open(url, 6379),
        f"Redis is not reachable at {url}",
    )
    return url


def require_chromium() -> str:
    require(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)",
    )
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")  # type: ignore[return-value]
