"""The same e-mail delivered three times makes one ticket: one after another, or at once.

Mail servers deliver again after a timeout, a poller sees a message twice,
an operator feeds a Maildir that was half fed before. The stored message is
recognised by its sha256 or its Message-ID, and the database's unique
constraints on both decide when copies arrive at the same moment.
"""

from __future__ import annotations

import mailbox
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from outbox.models import OutgoingEmail
from tests.private_services import (
    PrivateDovecot,
    SmtpSink,
    start_manage,
    url_of_test_database,
    wait_for,
)
from tests.requirements import require
from tickets.email.imap import poll_mailbox
from tickets.models import InboundEmail, Ticket

MAIL = (
    "From: Анна Смирнова <customer@alfa.example>\r\n"
    "To: support@helpdesk.localhost\r\n"
    "Subject: =?utf-8?b?0J3QtSDQt9Cw0L/Rg9GB0LrQsNC10YLRgdGPINGB0LvRg9C20LHQsA==?=\r\n"
    "Message-ID: <three-times@alfa.example>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
    "После обновления служба не стартует.\r\n"
).encode()


@pytest.mark.django_db
def test_three_deliveries_one_after_another_make_one_ticket(
    customer, active_licence, settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    as_file = tmp_path / "message.eml"
    as_file.write_bytes(MAIL)
    # An mbox rewrites line ends: other bytes, the same Message-ID.
    as_mbox = tmp_path / "support.mbox"
    box = mailbox.mbox(as_mbox)
    box.add(MAIL)
    box.close()
    as_maildir = tmp_path / "Maildir"
    maildir = mailbox.Maildir(as_maildir)
    maildir.add(MAIL)
    maildir.close()

    for path in (as_file, as_mbox, as_maildir):
        call_command("ingest_email", str(path), verbosity=0)

    ticket = Ticket.objects.get()
    inbound = InboundEmail.objects.get()
    assert inbound.ticket == ticket
    assert ticket.contact == customer
    assert ticket.messages.count() == 1
    assert OutgoingEmail.objects.filter(to=[customer.email]).count() == 1


@pytest.mark.django_db
def test_three_copies_in_the_mailbox_make_one_ticket_and_all_three_are_removed(
    customer, active_licence, settings, tmp_path: Path, private_dovecot: PrivateDovecot
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAP_HOST, settings.IMAP_PORT = "127.0.0.1", private_dovecot.port
    settings.IMAP_SSL = False
    settings.IMAP_USER = private_dovecot.user
    settings.IMAP_PASSWORD = private_dovecot.password
    imap = private_dovecot.client()
    try:
        for _ in range(3):
            assert imap.append("INBOX", None, None, MAIL)[0] == "OK"

        assert poll_mailbox() == 3

        imap.select("INBOX")
        assert imap.search(None, "ALL")[1] == [b""]
    finally:
        imap.logout()
    ticket = Ticket.objects.get()
    assert InboundEmail.objects.get().ticket == ticket
    assert ticket.messages.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_deliveries_at_the_same_moment_make_one_ticket(
    customer, active_licence, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    require(
        connection.vendor == "postgresql",
        "processes of their own share the test database only in PostgreSQL; "
        "set DATABASE_URL to one",
    )
    env = {
        "DATABASE_URL": url_of_test_database(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BROKER_URL": "",  # mail is sent in the process, after commit
        "EMAIL_URL": smtp_sink.url,
    }
    database = connection.settings_dict
    dsn = {
        "dbname": database["NAME"],
        "user": database["USER"],
        "password": database["PASSWORD"] or "",
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
    }
    # Writes to the table wait while this is held, reads do not: each process
    # finds the message not yet stored and waits to store it; then all go at once.
    holder = psycopg2.connect(**dsn)
    watcher = psycopg2.connect(**dsn)
    watcher.autocommit = True
    processes = []
    try:
        with holder.cursor() as cursor:
            cursor.execute("lock table tickets_inboundemail in exclusive mode")
        processes = [
            start_manage("ingest_email", env=env, stdin=MAIL) for _ in range(3)
        ]

        def all_three_waiting() -> bool:
            with watcher.cursor() as cursor:
                cursor.execute(
                    "select count(*) from pg_stat_activity"
                    " where datname = current_database() and wait_event_type = 'Lock'"
                )
                return cursor.fetchone()[0] == 3

        assert wait_for(all_three_waiting)
        holder.rollback()
        results = [process.communicate(timeout=60) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        holder.close()
        watcher.close()

    assert [p.returncode for p in processes] == [0, 0, 0], [r[1] for r in results]
    ticket = Ticket.objects.get()
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.ticket) == ("processed", ticket)
    assert ticket.messages.count() == 1
    # The two copies that lost the race left no files behind.
    assert [p.name for p in (tmp_path / "media").rglob("*.eml")] == [
        Path(inbound.raw.name).name
    ]
    (acknowledgement,) = smtp_sink.accepted
    assert acknowledgement["To"] == customer.email
    assert ticket.reference in acknowledgement["Subject"]
