"""PostgreSQL down or restarted while mail comes in: the mail is taken again, one ticket.

Each test runs a PostgreSQL server of its own on a free port, on a copy of a
cluster made and migrated once for this file (tests/private_services.py), and
feeds mail with `manage.py ingest_email` as an MTA's pipe does, or polls a
Dovecot mailbox of its own. The MTA is the test: it keeps the message while the
command exits with EX_TEMPFAIL and delivers it again later. The shared
PostgreSQL is not touched.
"""

from __future__ import annotations

import imaplib
import os
import pwd
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.private_services import (
    PrivateDovecot,
    PrivatePostgres,
    manage,
    postgres_bin,
    start_manage,
    wait_for,
)
from tests.requirements import require

pytestmark = pytest.mark.postgres

MAIL = (
    "From: Анна Смирнова <customer@alfa.example>\r\n"
    "To: support@helpdesk.localhost\r\n"
    # "Не запускается служба"
    "Subject: =?utf-8?b?0J3QtSDQt9Cw0L/Rg9GB0LrQsNC10YLRgdGPINGB0LvRg9C20LHQsA==?=\r\n"
    "Message-ID: <restart-1@alfa.example>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
    "После обновления служба не стартует.\r\n"
).encode()

# The schema, and a customer whose organisation has active support: their mail
# opens a ticket.
SETUP = """
from django.core.management import call_command
from accounts.models import Membership
from tests.factories import LicenceFactory, MembershipFactory, OrganisationFactory

call_command("migrate", verbosity=0)
organisation = OrganisationFactory(name="ООО «Альфа»")
LicenceFactory(organisation=organisation, number="ALFA-0001-AAAA-0001")
MembershipFactory(
    organisation=organisation,
    role=Membership.Role.MANAGER,
    user__email="customer@alfa.example",
)
"""


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="module")
def migrated_cluster(tmp_path_factory) -> Iterator[PrivatePostgres]:
    """A stopped cluster, migrated, with the customer: each test runs a copy."""
    bindir = postgres_bin()
    require(
        bindir is not None,
        "PostgreSQL's initdb is not installed (apt-get install -y postgresql)",
    )
    require(
        os.geteuid() != 0 or _has_user("postgres"),
        "as root, initdb needs the postgres system user",
    )
    cluster = PrivatePostgres(bindir)  # type: ignore[arg-type]
    try:
        cluster.init()
        cluster.start()
        cluster.query("create database helpdesk", database="postgres")
        env = {
            "DATABASE_URL": cluster.url(),
            "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        }
        setup = manage("shell", "--no-imports", "-c", SETUP, env=env)
        assert setup.returncode == 0, setup.stderr.decode()
        cluster.stop()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def private_postgres(migrated_cluster: PrivatePostgres) -> Iterator[PrivatePostgres]:
    """This test's own server, on a copy of the migrated cluster's files."""
    cluster = PrivatePostgres(migrated_cluster.bindir)
    try:
        cluster.init(copy_of=migrated_cluster.data)
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def mail_env(private_postgres: PrivatePostgres, tmp_path: Path) -> dict[str, str]:
    """The environment of `manage.py` on the private cluster."""
    return {
        "DATABASE_URL": private_postgres.url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BROKER_URL": "",  # tasks run in the process, after commit
        "EMAIL_URL": "dummymail://",
    }


def _inbound(cluster: PrivatePostgres) -> list[tuple]:
    return cluster.query(
        "select status, ticket_id is not null from tickets_inboundemail"
    )


def _tickets(cluster: PrivatePostgres) -> list[tuple]:
    return cluster.query("select subject, channel from tickets_ticket")


def _one_line(stderr: bytes) -> str:
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_mail_arriving_while_postgres_is_down_is_deferred_and_then_makes_one_ticket(
    private_postgres: PrivatePostgres, mail_env: dict[str, str]
) -> None:
    private_postgres.stop()
    down = manage("ingest_email", env=mail_env, stdin=MAIL)

    assert down.returncode == os.EX_TEMPFAIL  # the MTA keeps it and retries
    assert "deliver the message again later" in _one_line(down.stderr)
    assert "OperationalError" in _one_line(down.stderr)

    private_postgres.start()
    assert _inbound(private_postgres) == []
    again = manage("ingest_email", env=mail_env, stdin=MAIL)

    assert again.returncode == 0, again.stderr.decode()
    assert _inbound(private_postgres) == [("processed", True)]
    assert _tickets(private_postgres) == [("Не запускается служба", "email")]
    assert len(list(Path(mail_env["MEDIA_ROOT"]).rglob("*.eml"))) == 1


@contextmanager
def held_at_the_sender_lookup(cluster: PrivatePostgres) -> Iterator[Callable[[], bool]]:
    """Make processing wait where it looks up the sender; yields "stored and waiting".

    The raw message is then stored and committed, no ticket written yet. (The
    users table, not the tickets table: committing the stored row checks its
    foreign key to tickets.)
    """
    holder = cluster.connect()
    holder.autocommit = False
    with holder.cursor() as cursor:
        cursor.execute("lock table accounts_user in access exclusive mode")

    def stored_and_waiting() -> bool:
        waiting = cluster.query(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
        )
        return waiting == [(1,)] and _inbound(cluster) == [("received", False)]

    try:
        yield stored_and_waiting
    finally:
        holder.close()


def _restart_when(ready: Callable[[], bool], cluster: PrivatePostgres, process):
    """Restart the cluster once `ready`; what the process then said on stderr."""
    try:
        assert wait_for(ready), cluster.query(
            "select state, query from pg_stat_activity"
        )
        cluster.stop()  # a fast shutdown cuts off every session
        cluster.start()
        _stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return stderr


def test_a_restart_between_storing_and_processing_is_finished_by_the_retry(
    private_postgres: PrivatePostgres, mail_env: dict[str, str]
) -> None:
    with held_at_the_sender_lookup(private_postgres) as stored_and_waiting:
        ingesting = start_manage("ingest_email", env=mail_env, stdin=MAIL)
        stderr = _restart_when(stored_and_waiting, private_postgres, ingesting)

    assert ingesting.returncode == os.EX_TEMPFAIL
    assert "deliver the message again later" in _one_line(stderr)
    assert _inbound(private_postgres) == [("received", False)]
    assert _tickets(private_postgres) == []

    again = manage("ingest_email", env=mail_env, stdin=MAIL)

    assert again.returncode == 0, again.stderr.decode()
    assert _inbound(private_postgres) == [("processed", True)]
    assert _tickets(private_postgres) == [("Не запускается служба", "email")]
    assert len(list(Path(mail_env["MEDIA_ROOT"]).rglob("*.eml"))) == 1


POLL = "from tickets.email.imap import poll_mailbox; print(poll_mailbox())"


def _in_mailbox(imap: imaplib.IMAP4) -> int:
    imap.select("INBOX")
    return len(imap.search(None, "UNDELETED")[1][0].split())


def test_a_restart_while_polling_leaves_the_message_in_the_mailbox_until_taken(
    private_postgres: PrivatePostgres,
    mail_env: dict[str, str],
    private_dovecot: PrivateDovecot,
) -> None:
    env = {**mail_env, **private_dovecot.env()}
    imap = private_dovecot.client()
    try:
        assert imap.append("INBOX", None, None, MAIL)[0] == "OK"
        with held_at_the_sender_lookup(private_postgres) as stored_and_waiting:
            polling = start_manage("shell", "--no-imports", "-c", POLL, env=env)
            stderr = _restart_when(stored_and_waiting, private_postgres, polling)

        assert polling.returncode != 0
        assert "OperationalError" in stderr.decode()
        assert _in_mailbox(imap) == 1
        assert _inbound(private_postgres) == [("received", False)]

        again = manage(
            "shell", "--no-imports", "-c", POLL, env=env
        )  # the next beat run

        assert again.returncode == 0, again.stderr.decode()
        assert again.stdout.decode().split() == ["1"]
        assert _in_mailbox(imap) == 0
    finally:
        imap.logout()
    assert _inbound(private_postgres) == [("processed", True)]
    assert _tickets(private_postgres) == [("Не запускается служба", "email")]
