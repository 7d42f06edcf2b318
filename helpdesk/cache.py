"""The site's one cache: Django's cache, made safe to lose, and versioned values.

Every app reads and writes through Django's `cache` and, for values read from
the database that last until their rows change, through `VersionedCache`
below. Three rules hold for all of them:

1. **An outage is a miss.** The Redis backend (`RedisCache`, named in
   `CACHES` by `CACHE_URL`) answers every operation it cannot carry out as if
   the key were absent and the write had not happened, and then leaves Redis
   alone for `RETRY_SECONDS` before trying again: pages read the database
   instead and never fail for the cache. `/healthz` probes Redis itself
   (`check()`) and reports it down. Rate limits count nothing meanwhile: they
   let requests through rather than refuse everyone.
2. **Keys carry the release.** `KEY_PREFIX` is `settings.RELEASE` (the
   `RELEASE` environment variable, e.g. the commit deployed): a release never
   reads what an older one wrote, whatever shape it had.
3. **Versions, not deletes.** A `VersionedCache` stores each value with the
   version it was read under. Any change to the rows behind it (a signal
   receiver, `forget`) replaces the version, so the change counts on the next
   request, in every process. A version that cannot be replaced because the
   cache is down is replaced by the process that made the change as soon as
   the cache answers again; a version that cannot be read is one of that
   moment alone, so nothing cached before the outage is trusted during it.

The version is random, never a counter: if the cache loses it, a new one cannot
meet values written under an older one. Values read inside a transaction are
not cached (a test's transaction included: there every read goes to the
database).

Short lists read on most pages (`kept_in_process=True`) are also kept in each
process's memory, under the same versions; their versions are read together,
once a request (`request_started` begins a request's reading). A page then
makes one round trip for all of them instead of one each, and unpickles
nothing (bench/README.md, the queue's and the staff ticket page's targets).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import redis
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.core.signals import request_finished, request_started
from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed operation, Redis is left alone this long (per process).
RETRY_SECONDS = 5.0
_TRANSPORT_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


# 1. The Redis backend ---------------------------------------------------------


class _SharedClients(django_redis.RedisCacheClient):
    """One `redis.Redis` per connection pool: Django's builds one for every
    operation, and redis-py fills a table of response callbacks each time. A
    client holds no connection of its own (it borrows one from the pool for
    each command) and is safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class _Missing(Exception):
    pass


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache, for which an outage is a miss (rule 1 above)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClients
        self._down_until = 0.0

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def check(self) -> None:
        """Ping Redis, past the pause after a failure; raises when unreachable."""
        self._cache.get_client().ping()
        self._down_until = 0.0

    def _guarded(self, operation: Callable[[], T], fallback: T) -> T:
        if self.is_down:
            return fallback
        try:
            return operation()
        except _TRANSPORT_ERRORS as error:
            if not self._down_until:
                logger.warning(
                    "The cache is unreachable (%s): reading the database "
                    "instead, and trying again in %s s",
                    type(error).__name__,
                    RETRY_SECONDS,
                )
            self._down_until = time.monotonic() + RETRY_SECONDS
            return fallback

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(RedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key, default=None, version=None):
        return self._guarded(
            lambda: super(RedisCache, self).get(key, default, version), default
        )

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        self._guarded(
            lambda: super(RedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(RedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._guarded(
            lambda: super(RedisCache, self).delete(key, version), False
        )

    def get_many(self, keys, version=None):
        return self._guarded(
            lambda: super(RedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._guarded(
            lambda: super(RedisCache, self).has_key(key, version), False
        )

    def incr(self, key, delta=1, version=None):
        # Unreachable reads as absent, which `incr` reports as ValueError.
        found = self._guarded(
            lambda: super(RedisCache, self).incr(key, delta, version), _Missing
        )
        if found is _Missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return found

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(RedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        self._guarded(lambda: super(RedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._guarded(lambda: super(RedisCache, self).clear(), False)


def cache_is_down() -> bool:
    """Whether the last operation of this process found the cache unreachable."""
    return getattr(cache, "is_down", False)


def check_cache() -> None:
    """Raise unless the cache stores and returns a value (for `/healthz`)."""
    check = getattr(cache, "check", None)
    if check is not None:
        check()
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "1":
        raise RuntimeError("the cache did not return what was stored")


# 2. Versioned values ----------------------------------------------------------

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
        read_in_transactions: bool = False,
    ) -> None:
        self.name = name
        # True when the rows behind it are never written in a transaction
        # that reads them (the automation's rules, read while a filing is
        # being written): a value read inside one is then committed, and
        # may be cached.
        self.read_in_transactions = read_in_transactions
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
        _replace_unreplaced_versions()
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
            if (
                transaction.get_connection().in_atomic_block
                and not self.read_in_transactions
            ):
                return value
            cache.set(value_key, (versions, value), timeout=self.timeout)
            if cache_is_down():
                return value
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
        connection = transaction.get_connection()
        if connection.in_atomic_block and not _replaced_after_commit(
            connection, self.version_key
        ):
            transaction.on_commit(_ReplaceVersion(self))

    def _replace_version(self) -> None:
        version = uuid.uuid4().hex
        cache.set(self.version_key, version, timeout=self.version_timeout)
        if cache_is_down():
            # The change must still count once the cache is back.
            _unreplaced.add(self)
        else:
            _unreplaced.discard(self)
        known = _request_versions.get()
        if known is not None and self.kept_in_process:
            known[self.version_key] = version

    def _version(self) -> str:
        cache.add(self.version_key, uuid.uuid4().hex, timeout=self.version_timeout)
        # Unreachable: a version of this moment alone, which no stored value has.
        return cache.get(self.version_key) or uuid.uuid4().hex


class _ReplaceVersion:
    """`VersionedCache._replace_version` as an on-commit callback that says
    which cache it replaces the version of."""

    def __init__(self, versioned: VersionedCache) -> None:
        self.versioned = versioned
        self.version_key = versioned.version_key

    def __call__(self) -> None:
        self.versioned._replace_version()


def _replaced_after_commit(connection, version_key: str) -> bool:
    """Whether the transaction will already replace this version when it
    commits: a ticket's filing forgets its conversation for each row it
    writes, and one replacement after the commit serves them all. Reads
    Django's list of on-commit callbacks, `(savepoints, callback, robust)`,
    from which a savepoint's rollback removes its own."""
    return any(
        getattr(callback, "version_key", None) == version_key
        for _savepoints, callback, *_robust in connection.run_on_commit
    )


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


# Caches whose version could not be replaced while the cache was down.
_unreplaced: set[VersionedCache] = set()


def _replace_unreplaced_versions() -> None:
    if _unreplaced and not cache_is_down():
        for versioned in list(_unreplaced):
            versioned._replace_version()
