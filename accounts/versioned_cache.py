"""Values read from the database and kept in the cache until their rows change.

A `VersionedCache` stores each value with the version it was read under. Any
change to the rows behind it (a signal receiver, `forget`) replaces the
version, so the change counts on the next request, in every process. One round
trip reads the versions and the value together.

The version is random, never a counter: if the cache loses it, a new one cannot
meet values written under an older one. Values read inside a transaction are
not cached (a test's transaction included: there every read goes to the
database).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

import django
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class VersionedCache:
    def __init__(
        self,
        name: str,
        *,
        timeout: int = 60 * 60,
        version_timeout: int | None = None,
    ) -> None:
        self.name = name
        self.version_key = f"{name}:version"
        self.timeout = timeout
        # None: the version is kept until replaced. One cache per row (a
        # ticket's, say) lets its version expire with its values instead.
        self.version_timeout = version_timeout

    def get(
        self, key: str, read: Callable[[], T], *, also: Iterable[VersionedCache] = ()
    ) -> T:
        """The value cached under `key`, or `read()` (the database) cached now.

        `also`: other caches whose rows the value depends on too; a change to
        theirs makes it out of date as well."""
        sources = [self, *also]
        value_key = f"{self.name}:{key}"
        found = cache.get_many([*(s.version_key for s in sources), value_key])
        versions = tuple(found.get(s.version_key) or s._version() for s in sources)
        stored = found.get(value_key)
        if stored is not None and stored[0] == versions:
            return stored[1]
        value = read()
        # Inside a transaction the rows just read may yet be rolled back, and
        # a rollback replaces no version: only what is committed is cached.
        if not transaction.get_connection().in_atomic_block:
            cache.set(value_key, (versions, value), timeout=self.timeout)
        return value

    def forget(self, **_: object) -> None:
        """Every value cached here is out of date (a signal receiver).

        At once, so that later reads in the same transaction see the change,
        and again after the commit: a request in between reads the rows as they
        were and caches them under the first new version."""
        self._replace_version()
        transaction.on_commit(self._replace_version)

    def _replace_version(self) -> None:
        cache.set(self.version_key, uuid.uuid4().hex, timeout=self.version_timeout)

    def _version(self) -> str:
        cache.add(self.version_key, uuid.uuid4().hex, timeout=self.version_timeout)
        return cache.get(self.version_key)


@functools.cache
def sources_digest(*names: str) -> str:
    """A digest of the files (under the project's root) that make a cached
    piece of HTML, and of Django's version (its widgets' templates), for its
    key: a release that changes one renders anew."""
    digest = hashlib.sha256(django.get_version().encode())
    for name in names:
        path = settings.BASE_DIR / name
        digest.update(path.read_bytes() if path.exists() else name.encode())
    return digest.hexdigest()[:16]
