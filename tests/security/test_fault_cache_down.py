"""A cache outage degrades to the database, never to an error page.

Every URL of the authorisation matrix, for every role, GET and POST, is asked
with the cache unreachable: a Redis server of the test's own stopped in the
middle of the run (after the pages have filled it), and a cache URL where
nothing listens. No answer may be a server error, and `/healthz` says the
cache is down. Then the cache comes back and a change made during the outage
counts at once.
"""

from __future__ import annotations

import time

import pytest
import redis
from django.urls import reverse

from accounts.models import Licence
from accounts.services import renew_subscription
from helpdesk import cache as helpdesk_cache
from helpdesk.settings import _cache_from_url
from tests.auth import sign_in
from tests.security.test_authorisation_matrix import EXPECTED, ROLES

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# Nothing listens on port 1: connections are refused at once.
NOWHERE = "redis://127.0.0.1:1/0"


def _every_page(client_class, world) -> list[str]:
    """Ask every URL as every role; the requests that answered 500 or more.
    `/healthz` is the one that must say so (503), asked on its own."""
    failures = []
    for role in ROLES:
        client = client_class()
        if role != "anonymous":
            sign_in(client, world["users"][role])
        for name in sorted(set(EXPECTED) - {"healthz"}):
            url = reverse(name, kwargs=world["kwargs"].get(name))
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} as {role}: {response}")
    return failures


def _healthz_cache(client) -> tuple[int, str]:
    response = client.get("/healthz")
    return response.status_code, response.json()["checks"]["cache"]


def test_every_page_works_when_the_cache_stops_mid_run(
    client, settings, world, private_redis
) -> None:
    private_redis.start()
    settings.CACHES = {"default": _cache_from_url(private_redis.url)}
    assert _healthz_cache(client) == (200, "ok")
    # The caches fill: versions, lists kept in process, conversations.
    assert _every_page(type(client), world) == []

    private_redis.stop()

    assert _every_page(type(client), world) == []
    status, cache = _healthz_cache(client)
    assert status == 503
    assert cache.startswith("error")


def test_every_page_works_with_no_cache_server_at_all(client, settings, world) -> None:
    settings.CACHES = {"default": _cache_from_url(NOWHERE)}

    assert _every_page(type(client), world) == []
    status, cache = _healthz_cache(client)
    assert status == 503
    assert cache == "error: ConnectionError"


def _support_badge(client, ticket) -> str:
    page = client.get(ticket.get_absolute_url()).content.decode()
    start = page.index("поддержка до")
    return page[start : page.index("<", start)]


def test_a_change_made_while_the_cache_is_unreachable_counts_when_it_is_back(
    client, settings, world, private_redis, monkeypatch
) -> None:
    """A licence renewed while Redis cannot take the new version of the
    organisation directory (its data all kept): the staff ticket page shows
    the new end of support as soon as Redis answers again."""
    monkeypatch.setattr(helpdesk_cache, "RETRY_SECONDS", 0.2)
    private_redis.start()
    settings.CACHES = {"default": _cache_from_url(private_redis.url)}
    ticket = world["ticket"]
    sign_in(client, world["users"]["agent"])
    licence = Licence.objects.get(pk=ticket.licence_id)
    before = _support_badge(client, ticket)
    assert _support_badge(client, ticket) == before  # from the caches now

    # Writes hang past the socket timeout; reads and the data stay.
    with redis.Redis(port=private_redis.port) as server:
        server.execute_command("CLIENT", "PAUSE", 2500, "WRITE")
    renew_subscription(licence, years=2)
    time.sleep(2.6)

    after = _support_badge(client, ticket)
    assert after != before
    licence = Licence.objects.get(pk=licence.pk)
    assert str(licence.support_ends_on.year) in after
