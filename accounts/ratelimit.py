from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address as the outermost trusted proxy saw it."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            a.strip()
            for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if a.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(key: str, *, limit: int, period: int) -> bool:
    """Count one attempt under `key`; False once more than `limit` came within `period` s.

    The shared cache (Redis in production) makes the count hold across processes.
    """
    cache.add(key, 0, timeout=period)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        return True
