from __future__ import annotations

from django.core.cache import cache


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
