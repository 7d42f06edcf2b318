"""Lists kept in process (`VersionedCache(kept_in_process=True)`): their
versions are read together once a request, their values kept in memory under
those versions.

Transactional: nothing read inside a transaction is cached.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from helpdesk import cache as versioned_cache
from helpdesk.cache import VersionedCache
from tests.auth import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

colours = VersionedCache("tests:colours", kept_in_process=True)
sizes = VersionedCache("tests:sizes", kept_in_process=True)
per_row = VersionedCache("tests:row:1")


class Rows:
    """Stands for the database: what `read` returns, and how often it was asked."""

    def __init__(self, value: str) -> None:
        self.value, self.reads = value, 0

    def read(self) -> str:
        self.reads += 1
        return self.value


class Request:
    def __enter__(self):
        request_started.send(sender=None)
        return self

    def __exit__(self, *exc: object) -> None:
        request_finished.send(sender=None)


def _round_trips():
    return mock.patch.object(cache, "get_many", wraps=cache.get_many)


def test_a_request_reads_the_versions_of_every_list_at_once() -> None:
    red, small = Rows("red"), Rows("small")
    with Request():
        colours.get("all", red.read)
        sizes.get("all", small.read)

    with Request(), _round_trips() as get_many:
        assert colours.get("all", red.read) == "red"
        assert sizes.get("all", small.read) == "small"
        assert colours.get("all", red.read) == "red"

    assert get_many.call_count == 1
    assert {"tests:colours:version", "tests:sizes:version"} <= set(
        get_many.call_args.args[0]
    )
    assert (red.reads, small.reads) == (1, 1)


def test_a_change_elsewhere_counts_at_the_next_request() -> None:
    rows = Rows("red")
    with Request():
        colours.get("all", rows.read)

    # Another process changes the rows and replaces the version.
    rows.value = "blue"
    cache.set(colours.version_key, "replaced elsewhere")

    with Request():
        assert colours.get("all", rows.read) == "blue"
    assert rows.reads == 2


def test_a_change_within_a_request_counts_at_once() -> None:
    rows = Rows("red")
    with Request():
        assert colours.get("all", rows.read) == "red"
        rows.value = "blue"
        colours.forget()

        assert colours.get("all", rows.read) == "blue"


def test_outside_a_request_each_read_asks_the_cache() -> None:
    rows = Rows("red")
    colours.get("all", rows.read)
    rows.value = "blue"
    cache.set(colours.version_key, "replaced elsewhere")

    assert colours.get("all", rows.read) == "blue"


def test_a_cache_per_row_still_reads_its_version_with_its_value() -> None:
    rows = Rows("text")
    with Request():
        per_row.get("html", rows.read, also=[colours])

    with Request(), _round_trips() as get_many:
        assert per_row.get("html", rows.read, also=[colours]) == "text"

    # One for the lists' versions, one for the row's version and value.
    assert get_many.call_count == 2
    assert get_many.call_args.args[0] == ["tests:row:1:version", "tests:row:1:html"]
    assert rows.reads == 1


def test_inside_a_transaction_nothing_is_kept() -> None:
    rows = Rows("red")
    with Request(), transaction.atomic():
        colours.get("all", rows.read)
        colours.get("all", rows.read)

    assert rows.reads == 2


def test_the_values_kept_in_process_are_bounded() -> None:
    with mock.patch.object(versioned_cache, "VALUES_KEPT_IN_PROCESS", 2), Request():
        for key in ("a", "b", "c"):
            colours.get(key, Rows(key).read)

        assert "tests:colours:a" not in versioned_cache._values_in_process
        assert "tests:colours:c" in versioned_cache._values_in_process


def test_a_second_queue_page_makes_one_round_trip_for_its_lists(client, agent) -> None:
    sign_in(client, agent)
    client.get("/staff/queue/")

    with _round_trips() as get_many, CaptureQueriesContext(connection) as queries:
        assert client.get("/staff/queue/").status_code == 200

    # One for the lists' versions, one for the agent's own notifications
    # (their unread count and followed tickets: notifications.unread).
    assert get_many.call_count == 2
    assert get_many.call_args_list[1].args[0] == [
        f"notifications:person:{agent.pk}:version",
        f"notifications:person:{agent.pk}:person",
    ]
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "auth_permission" not in tables


def _replacements():
    return mock.patch.object(
        VersionedCache,
        "_replace_version",
        autospec=True,
        side_effect=VersionedCache._replace_version,
    )


def test_a_transaction_replaces_a_version_once_after_it_commits() -> None:
    rows = Rows("before")
    per_row.get("value", rows.read)
    with _replacements() as replaced:
        with transaction.atomic():
            for _row_written in range(3):
                per_row.forget()
            assert replaced.call_count == 3  # at once, each time
        assert replaced.call_count == 4  # and once after the commit

    rows.value = "after"
    assert per_row.get("value", rows.read) == "after"


def test_a_rolled_back_savepoint_takes_its_replacement_with_it() -> None:
    with _replacements() as replaced:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    per_row.forget()
                    raise RuntimeError
            except RuntimeError:
                pass
            per_row.forget()
        # Both at once; the savepoint's after-commit one went with it, the
        # second forget's stayed.
        assert replaced.call_count == 3
