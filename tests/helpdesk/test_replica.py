"""Reports read a real streaming replica of the tests' PostgreSQL.

The replica is started beside the primary for this file: a base backup of
the whole cluster (pg_basebackup, after the test database exists), run on a
free port in a temporary directory (tests/private_services.py), following the
primary over streaming replication. Django's `replica` database points there
for each test. The primary must accept replication connections from
127.0.0.1 (README, "Tests"; `.ci/run` allows them).
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections, transaction
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from accounts.models import Organisation
from helpdesk import db_router
from helpdesk.db_router import (
    REPLICA,
    reading_from_replica,
    reads_from_replica,
    report_db,
)
from tests.auth import sign_in
from tests.factories import OrganisationFactory
from tests.private_services import (
    PrivateReplica,
    database_alias,
    postgres_bin,
    wait_for,
)
from tests.requirements import require
from tickets.dashboard import figures as dashboard
from tickets.dashboard.figures import refresh_dashboard
from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]

DASHBOARD = "/staff/dashboard/"


@pytest.fixture(scope="module")
def replica(django_db_setup) -> Iterator[PrivateReplica]:
    """A streaming replica of the primary, test database included."""
    require(
        connection.vendor == "postgresql",
        f"the suite runs on {connection.vendor}; set DATABASE_URL to a PostgreSQL database",
    )
    bindir = postgres_bin()
    require(
        bindir is not None and (bindir / "pg_basebackup").exists(),
        "PostgreSQL's server programs are not installed (apt-get install -y postgresql)",
    )
    db = connection.settings_dict
    server = PrivateReplica(
        bindir,  # type: ignore[arg-type]
        primary_host=db["HOST"] or "127.0.0.1",
        primary_port=int(db["PORT"] or 5432),
    )
    try:
        try:
            server.init()
        except subprocess.CalledProcessError as error:
            require(
                False,
                "the primary refuses a replica (pg_basebackup: "
                f"{error.stderr.decode().strip()}); allow replication from "
                "127.0.0.1 in pg_hba.conf as .ci/run does",
            )
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def routed(replica: PrivateReplica, monkeypatch) -> Iterator[PrivateReplica]:
    """Django's `replica` database is the started replica, for this test."""
    monkeypatch.setattr(db_router, "_down_until", 0.0)
    with database_alias(REPLICA, HOST="127.0.0.1", PORT=replica.port):
        yield replica


@pytest.fixture
def file_ticket(customer, active_licence) -> Callable[[str], Ticket]:
    def file(subject: str) -> Ticket:
        return open_ticket(
            contact=customer,
            licence=active_licence,
            subject=subject,
            description="Служба не запускается после обновления.",
            category=Ticket.Category.OTHER,
        )

    return file


def _on_a_standby(queryset) -> bool:
    """Whether the server that answered the query is in recovery (a replica)."""
    return queryset.annotate(standby=RawSQL("pg_is_in_recovery()", ())).values_list(
        "standby", flat=True
    )[0]


def _replicated(ticket: Ticket) -> bool:
    return Ticket.objects.using(REPLICA).filter(pk=ticket.pk).exists()


def test_a_committed_row_reaches_the_replica_and_reports_read_it_there(
    routed: PrivateReplica, file_ticket
) -> None:
    ticket = file_ticket("Не запускается служба")

    assert wait_for(lambda: _replicated(ticket), timeout=10)
    assert _on_a_standby(Ticket.objects.all()) is False
    with reading_from_replica():
        assert report_db() == REPLICA
        assert _on_a_standby(Ticket.objects.all()) is True
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            figures = dashboard.build(now())

    assert figures.open_tickets.total == 1
    assert len(on_replica) >= 8
    assert len(on_primary) == 0


def test_the_dashboard_page_reads_the_replica(
    client, supervisor, routed, file_ticket
) -> None:
    ticket = file_ticket("Не запускается служба")
    assert wait_for(lambda: _replicated(ticket), timeout=10)
    sign_in(client, supervisor)

    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["open_total"].total == 1
    assert any("tickets_ticket" in q["sql"] for q in on_replica)
    # The session, the user and the permission check stay on the primary.
    assert not any("tickets_ticket" in q["sql"] for q in on_primary)


def test_the_dashboards_minutely_refresh_reads_the_replica(routed) -> None:
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        refresh_dashboard()

    assert len(on_replica) >= 8


def test_a_streamed_export_reads_the_replica_row_by_row(routed) -> None:
    OrganisationFactory()

    @reads_from_replica
    def export(request: HttpRequest) -> StreamingHttpResponse:
        rows = Organisation.objects.all()
        return StreamingHttpResponse(f"{_on_a_standby(rows)}\n" for _ in range(2))

    response = export(RequestFactory().get("/export.csv"))

    assert b"".join(response.streaming_content) == b"True\nTrue\n"
    assert _on_a_standby(Organisation.objects.all()) is False


def test_writes_inside_the_block_go_to_the_primary(routed, file_ticket) -> None:
    ticket = file_ticket("Старая тема")
    assert wait_for(lambda: _replicated(ticket), timeout=10)

    with reading_from_replica():
        read_there = Ticket.objects.get(pk=ticket.pk)
        read_from = read_there._state.db
        read_there.subject = "Новая тема"
        read_there.save(update_fields=["subject"])  # the replica would refuse it
        created = OrganisationFactory(name="ООО «Бета»")
        with transaction.atomic():
            # Its own writes are visible only on the primary.
            in_transaction = Ticket.objects.all().db

    assert read_from == REPLICA
    assert in_transaction == "default"
    assert Ticket.objects.using("default").get(pk=ticket.pk).subject == "Новая тема"
    assert Organisation.objects.using("default").filter(pk=created.pk).exists()


def test_with_the_replica_down_the_report_reads_the_primary(
    client, supervisor, routed: PrivateReplica, caplog, file_ticket
) -> None:
    file_ticket("Не запускается служба")
    sign_in(client, supervisor)
    routed.stop()
    try:
        # A new request finds no kept connection (CONN_MAX_AGE=0).
        connections[REPLICA].close()
        with caplog.at_level(logging.WARNING, logger="helpdesk.db_router"):
            response = client.get(DASHBOARD)
            again = client.get(DASHBOARD)
    finally:
        routed.start()

    assert response.status_code == 200
    assert again.status_code == 200
    assert response.context["open_total"].total == 1  # read on the primary
    # One warning: the second page did not try the replica again.
    warnings = [r for r in caplog.records if r.name == "helpdesk.db_router"]
    assert [r.levelname for r in warnings] == ["WARNING"]
