"""The backup and restore that README describes bring back tickets and their files.

It runs the documented commands: pg_dump of the database in custom format and a
tar of MEDIA_ROOT, restored into an empty database and an empty directory.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.requirements import require
from tests.tickets.conftest import upload
from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _dsn(database: str) -> dict[str, str]:
    settings = connection.settings_dict
    return {
        "dbname": database,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or "",
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
    }


def _libpq_args(dsn: dict[str, str]) -> list[str]:
    return ["-h", dsn["host"], "-p", dsn["port"], "-U", dsn["user"]]


def test_a_dump_and_the_files_restore_into_an_empty_database(
    customer, active_licence, settings, tmp_path: Path
) -> None:
    require(
        connection.vendor == "postgresql",
        "backups are of PostgreSQL; set DATABASE_URL to one",
    )
    require(shutil.which("pg_dump") is not None, "pg_dump is not installed")
    settings.MEDIA_ROOT = tmp_path / "media"
    ticket = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Резервная копия",
        description="Текст",
        category=Ticket.Category.OTHER,
        attachments=[upload("журнал.log", b"ERROR 42\n")],
    )
    attachment = ticket.messages.get().attachments.get()
    source = _dsn(connection.settings_dict["NAME"])
    env = {"PGPASSWORD": source["password"], "PATH": "/usr/bin:/bin"}

    # Backup, as README says.
    dump = tmp_path / "helpdesk.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(dump), *_libpq_args(source), source["dbname"]],
        check=True,
        env=env,
    )
    with tarfile.open(tmp_path / "media.tar.gz", "w:gz") as archive:
        archive.add(settings.MEDIA_ROOT, arcname="media")

    # Restore into an empty database and an empty directory.
    restored = {**source, "dbname": f"restore_{uuid.uuid4().hex[:8]}"}
    subprocess.run(
        ["createdb", *_libpq_args(restored), restored["dbname"]], check=True, env=env
    )
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "-d",
                restored["dbname"],
                *_libpq_args(restored),
                str(dump),
            ],
            check=True,
            env=env,
        )
        with tarfile.open(tmp_path / "media.tar.gz") as archive:
            archive.extractall(tmp_path / "restored", filter="data")
        with psycopg2.connect(**restored) as db, db.cursor() as cursor:
            cursor.execute("SELECT reference, subject FROM tickets_ticket")
            tickets = cursor.fetchall()
            cursor.execute("SELECT file, original_name, size FROM tickets_attachment")
            files = cursor.fetchall()
        db.close()
    finally:
        subprocess.run(
            ["dropdb", *_libpq_args(restored), restored["dbname"]], check=True, env=env
        )

    assert tickets == [(ticket.reference, "Резервная копия")]
    assert files == [(attachment.file.name, "журнал.log", 9)]
    assert (
        tmp_path / "restored" / "media" / attachment.file.name
    ).read_bytes() == b"ERROR 42\n"
