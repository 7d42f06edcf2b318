"""Values read from the database and kept in the cache until their rows change.

A `VersionedCache` stores each value with the version it was read under. Any
change to the rows behind it (a signal receiver, `forget`) replaces the version
after the commit, so the change counts on the next request, in every process.
One round trip reads the version and the value together.

The version is random, never a counter: if the cache loses it, a new one cannot
meet values written under an older one. It is replaced after the commit: a
request in between would otherwise read the old rows and store them under the
new version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class VersionedCache:
    def __init__(self, name: str, *, timeout: int = 60 * 60) -> None:
        self.name = name
        self.version_key = f"{name}:version"
        self.timeout = timeout

    def get(self, key: str, read: Callable[[], T]) -> T:
        """The value cached under `key`, or `read()` (the database) cached now."""
        value_key = f"{self.name}:{key}"
        found = cache.get_many([self.version_key, value_key])
        version = found.get(self.version_key) or self._version()
        stored = found.get(value_key)
        if stored is not None and stored[0] == version:
            return stored[1]
        value = read()
        cache.set(value_key, (version, value), timeout=self.timeout)
        return value

    def forget(self, **_: object) -> None:
        """Every value cached here is out of date (a signal receiver)."""
        transaction.on_commit(
            lambda: cache.set(self.version_key, uuid.uuid4().hex, timeout=None)
        )

    def _version(self) -> str:
        cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
        return cache.get(self.version_key)
