"""Django's Redis cache, keeping one Redis client per connection pool.

Django's `RedisCacheClient` builds a new `redis.Redis` for every operation, and
redis-py's constructor fills a table of some eighty response callbacks each
time: about a tenth of a millisecond, a dozen times on a staff page. A client
holds no connection of its own (it borrows one from the pool for each command)
and is safe to share between threads, so one per pool does the same work.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class _SharedClients(django_redis.RedisCacheClient):
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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClients
