"""The database router without a running replica: none, the tests' mirror, one
that cannot be reached. tests/helpdesk/test_replica.py starts a real one."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connections

from helpdesk import db_router
from helpdesk.db_router import REPLICA, ReplicaRouter, reading_from_replica, report_db
from tests.private_services import database_alias, free_port
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(databases=["default", REPLICA])


@pytest.fixture(autouse=True)
def _replica_not_known_to_be_down(monkeypatch) -> Iterator[None]:
    monkeypatch.setattr(db_router, "_down_until", 0.0)
    yield
    connections[REPLICA].close()


def test_without_a_replica_reports_read_the_primary(monkeypatch) -> None:
    # As when DATABASE_REPLICA_URL is unset.
    monkeypatch.delitem(settings.DATABASES, REPLICA, raising=False)

    with reading_from_replica():
        assert report_db() == "default"
        assert Ticket.objects.all().db == "default"


def test_the_tests_mirror_of_the_primary_is_the_primary() -> None:
    with database_alias(REPLICA), reading_from_replica():
        assert report_db() == "default"


def test_an_unreachable_replica_falls_back_to_the_primary_and_waits_to_retry(
    caplog, monkeypatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(db_router.time, "monotonic", lambda: clock[0])

    with (
        database_alias(REPLICA, PORT=free_port()),
        caplog.at_level(logging.WARNING, logger="helpdesk.db_router"),
    ):
        first = report_db()
        clock[0] += db_router.RETRY_AFTER - 1
        soon_after = report_db()
        warned_then = [r.levelname for r in caplog.records]
        clock[0] += 2
        later = report_db()

    assert (first, soon_after, later) == ("default", "default", "default")
    assert warned_then == ["WARNING"]
    assert len(caplog.records) == 2  # tried again once the wait was over


def test_reads_inside_a_transaction_on_the_primary_stay_there(caplog) -> None:
    """They must see the transaction's own writes (every test here runs in one)."""
    with (
        database_alias(REPLICA, PORT=free_port()),
        caplog.at_level(logging.WARNING, logger="helpdesk.db_router"),
        reading_from_replica(),
    ):
        assert Ticket.objects.all().db == "default"
    assert caplog.records == []  # the replica was not even tried


def test_outside_the_block_everything_reads_the_primary() -> None:
    with database_alias(REPLICA, PORT=free_port()):
        assert ReplicaRouter().db_for_read(Ticket) == "default"


def test_writes_and_migrations_are_the_primarys_alone() -> None:
    router = ReplicaRouter()

    with reading_from_replica():
        assert router.db_for_write(Ticket) == "default"
    assert router.allow_migrate("default", "tickets") is True
    assert router.allow_migrate(REPLICA, "tickets") is False
