"""Values read from the database and kept in the cache until their rows change.

A `VersionedCache` stores each value with the version it was read under. Any
change to the rows behind it (a signal receiver, `forget`) replaces the
version, so the change counts on the next request, in every process. One round
trip reads the versions and the value together.

The version is random, never a counter: if the cache loses it, a new one cannot
meet values written under an older one. Values read inside a transaction are
not cached (a test's transaction included: there every read goes to the
database).

Short lists read on most pages (`kept_in_process=True`) are also kept in each
process's memory, under the same versions; their versions are read together,
once a request (`request_started` begins a request's reading). A page then
makes one round trip for all of them instead of one each, and unpickles
nothing: four round trips fewer on the queue (bench/README.md).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import django
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

T = TypeVar("T")

# The versions of the caches kept in process, as read in this request; None
# outside a request (a worker, a shell), where each read asks the cache.
_request_versions: contextvars.ContextVar[dict[str, str] | None] = (
    contextvars.ContextVar("versioned_cache_request_versions", default=None)
)
_kept_in_process: dict[str, VersionedCache] = {}
# Values kept in process: (versions, value) by value key, the least recently
# used dropped first (the queue's form fields differ with every filter).
_values_in_process: OrderedDict[str, tuple[tuple, Any]] = OrderedDict()
_values_lock = threading.Lock()
VALUES_KEPT_IN_PROCESS = 512


def _begin_request(**_: object) -> None:
    _request_versions.set({})


def _end_request(**_: object) -> None:
    _request_versions.set(None)


request_started.connect(_begin_request, dispatch_uid="versioned_cache_begin")
request_finished.connect(_end_request, dispatch_uid="versioned_cache_end")


class VersionedCache:
    def __init__(
        self,
        name: str,
        *,
        timeout: int = 60 * 60,
        version_timeout: int | None = None,
        kept_in_process: bool = False,
    ) -> None:
        self.name = name
        self.version_key = f"{name}:version"
        self.timeout = timeout
        # None: the version is kept until replaced. One cache per row (a
        # ticket's, say) lets its version expire with its values instead.
        self.version_timeout = version_timeout
        self.kept_in_process = kept_in_process
        if kept_in_process:
            _kept_in_process[self.version_key] = self

    def get(
        self, key: str, read: Callable[[], T], *, also: Iterable[VersionedCache] = ()
    ) -> T:
        """The value cached under `key`, or `read()` (the database) cached now.

        `also`: other caches whose rows the value depends on too; a change to
        theirs makes it out of date as well."""
        sources = [self, *also]
        value_key = f"{self.name}:{key}"
        known = _versions_read_this_request(sources)
        in_process = self.kept_in_process and all(
            s.version_key in known for s in sources
        )
        if in_process:
            versions = tuple(known[s.version_key] for s in sources)
            with _values_lock:
                kept = _values_in_process.get(value_key)
                if kept is not None and kept[0] == versions:
                    _values_in_process.move_to_end(value_key)
                    return kept[1]
        asked = [s.version_key for s in sources if s.version_key not in known]
        found = cache.get_many([*asked, value_key])
        versions = tuple(
            known.get(s.version_key) or found.get(s.version_key) or s._version()
            for s in sources
        )
        stored = found.get(value_key)
        if stored is not None and stored[0] == versions:
            value = stored[1]
        else:
            value = read()
            # Inside a transaction the rows just read may yet be rolled back,
            # and a rollback replaces no version: only what is committed is
            # cached.
            if transaction.get_connection().in_atomic_block:
                return value
            cache.set(value_key, (versions, value), timeout=self.timeout)
        if in_process:
            with _values_lock:
                _values_in_process[value_key] = (versions, value)
                while len(_values_in_process) > VALUES_KEPT_IN_PROCESS:
                    _values_in_process.popitem(last=False)
        return value

    def forget(self, **_: object) -> None:
        """Every value cached here is out of date (a signal receiver).

        At once, so that later reads in the same transaction see the change,
        and again after the commit: a request in between reads the rows as they
        were and caches them under the first new version."""
        self._replace_version()
        transaction.on_commit(self._replace_version)

    def _replace_version(self) -> None:
        version = uuid.uuid4().hex
        cache.set(self.version_key, version, timeout=self.version_timeout)
        known = _request_versions.get()
        if known is not None and self.kept_in_process:
            known[self.version_key] = version

    def _version(self) -> str:
        cache.add(self.version_key, uuid.uuid4().hex, timeout=self.version_timeout)
        return cache.get(self.version_key)


def _versions_read_this_request(sources: list[VersionedCache]) -> dict[str, str]:
    """The versions of the caches kept in process, read once a request, all
    together, when the first of them is asked for; {} outside a request."""
    known = _request_versions.get()
    if known is None:
        return {}
    if any(s.kept_in_process and s.version_key not in known for s in sources):
        keys = [key for key in _kept_in_process if key not in known]
        found = cache.get_many(keys)
        for key in keys:
            known[key] = found.get(key) or _kept_in_process[key]._version()
    return known


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
