"""Throw-away servers and processes that one test starts and stops itself.

Each listens on a free port of 127.0.0.1 and keeps its files in a temporary
directory, so stopping, killing or restarting it touches nothing else on the
machine: not the shared PostgreSQL and Redis, not another test's processes.
"""

from __future__ import annotations

import asyncio
import email
import glob
import imaplib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import Message as MailMessage
from pathlib import Path
from urllib.parse import quote

import psycopg2
import redis
from django.conf import settings
from django.db import connection, connections


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> bool:
    """True as soon as the condition holds; False if it still does not at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _wait_for_port(port: int, what: str) -> None:
    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return True
        except OSError:
            return False

    if not wait_for(listening, 15):
        raise RuntimeError(f"{what} did not start on port {port}")


def url_of_test_database() -> str:
    """The pytest test database as a DATABASE_URL, for processes of our own."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def manage(
    *args: str, env: dict[str, str], stdin: bytes = b"", timeout: float = 120
) -> subprocess.CompletedProcess:
    """`manage.py` in a process of its own, as an MTA or an operator runs it."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, **env},
        cwd=settings.BASE_DIR,
        timeout=timeout,
        check=False,
    )


def start_manage(
    *args: str, env: dict[str, str], stdin: bytes = b""
) -> subprocess.Popen:
    """`manage.py` started and left running; the caller waits for it."""
    with tempfile.TemporaryFile() as message:
        message.write(stdin)
        message.seek(0)
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            stdin=message,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            cwd=settings.BASE_DIR,
        )


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, "the private Redis")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def drained(self) -> bool:
        """No task waits in the queue and none is being run (acks are late)."""
        with redis.Redis(port=self.port) as client:
            return client.llen("celery") == 0 and client.hlen("unacked") == 0


def postgres_bin() -> Path | None:
    """Where initdb and pg_ctl are: Debian keeps them out of PATH, one folder per version."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    initdb = found[-1] if found else shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A PostgreSQL cluster of its own, in a temporary directory.

    initdb refuses to run as root, so as root the server runs as the
    `postgres` system user.
    """

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.directory = Path(os.path.realpath(_tmp_dir("pg-")))
        self.data = self.directory / "data"
        self.running = False
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*as_owner, program, *args],
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def init(self, *, copy_of: Path | None = None) -> None:
        """A new cluster, or a copy of a stopped one's files (faster than migrating)."""
        if copy_of is not None:
            self._run("cp", "-a", str(copy_of), str(self.data))
            return
        self._run(
            str(self.bindir / "initdb"),
            "--pgdata",
            str(self.data),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )

    def options(self) -> str:
        return (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
            " -c fsync=off"
        )

    def start(self) -> None:
        options = self.options()
        self._run(
            str(self.bindir / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.directory / "server.log"),
            "--options",
            options,
            "--wait",
            "start",
        )
        self.running = True

    def stop(self) -> None:
        """A fast shutdown, as `systemctl restart` does: sessions are cut off."""
        if self.running:
            self._run(
                str(self.bindir / "pg_ctl"),
                "--pgdata",
                str(self.data),
                "-m",
                "fast",
                "stop",
            )
            self.running = False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str = "helpdesk") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "helpdesk"):
        db = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database
        )
        db.autocommit = True
        return db

    def query(self, sql: str, database: str = "helpdesk") -> list[tuple]:
        db = self.connect(database)
        try:
            with db.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else []
        finally:
            db.close()


class PrivateReplica(PrivatePostgres):
    """A streaming replica of a running server (the tests' own PostgreSQL),
    read-only, on a port of its own: a copy of the whole cluster, so every
    database there when it was made, the test database too.

    The primary must accept replication connections from 127.0.0.1
    (pg_hba.conf; `.ci/run` allows them).
    """

    # A standby refuses to start with less of these than its primary has.
    AT_LEAST_THE_PRIMARYS = (
        "max_connections",
        "max_worker_processes",
        "max_wal_senders",
        "max_prepared_transactions",
        "max_locks_per_transaction",
    )

    def __init__(self, bindir: Path, *, primary_host: str, primary_port: int) -> None:
        super().__init__(bindir)
        self.primary_host = primary_host
        self.primary_port = primary_port
        self.limits: list[tuple[str, str]] = []

    def init(self, *, copy_of: Path | None = None) -> None:
        """A base backup of the primary, set to follow it (`--write-recovery-conf`)."""
        self._run(
            str(self.bindir / "pg_basebackup"),
            f"--host={self.primary_host}",
            f"--port={self.primary_port}",
            "--username=postgres",
            f"--pgdata={self.data}",
            "--write-recovery-conf",
            "--wal-method=stream",
            # Now, not after the primary's next spread-out checkpoint.
            "--checkpoint=fast",
            "--no-sync",
            "--no-manifest",
            # Its time is the size of the whole cluster, whatever else is in it.
            timeout=600,
        )
        # Debian keeps the primary's configuration in /etc, out of the copy:
        # this one's is its own, defaults but for the command line's options.
        for name, text in (
            ("postgresql.conf", ""),
            ("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"),
        ):
            path = self.data / name
            path.write_text(text)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres")
        primary = psycopg2.connect(
            host=self.primary_host,
            port=self.primary_port,
            user="postgres",
            dbname="postgres",
        )
        try:
            with primary.cursor() as cursor:
                cursor.execute(
                    "select name, setting from pg_settings where name = any(%s)",
                    [list(self.AT_LEAST_THE_PRIMARYS)],
                )
                self.limits = cursor.fetchall()
        finally:
            primary.close()

    def options(self) -> str:
        limits = "".join(f" -c {name}={value}" for name, value in self.limits)
        return f"{super().options()} -c hot_standby=on{limits}"


@contextmanager
def database_alias(alias: str, **changes: object) -> Iterator[None]:
    """Django's `alias` as the test database with `changes` (e.g. another
    PORT) for the length of the block; what was there before is put back."""
    before = connections.settings.get(alias)
    if before is not None:
        kept = connections[alias]
        del connections[alias]
    test = dict(connection.settings_dict["TEST"], MIRROR=None)
    connections.settings[alias] = {
        **connection.settings_dict,
        "OPTIONS": dict(connection.settings_dict["OPTIONS"]),
        "TEST": test,
        **changes,
    }
    try:
        yield
    finally:
        connections[alias].close()
        del connections[alias]
        if before is None:
            del connections.settings[alias]
        else:
            connections.settings[alias] = before
            connections[alias] = kept


def _tmp_dir(prefix: str) -> str:
    # Not pytest's tmp_path: other system users (postgres) cannot enter it.
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp")


DOVECOT_CONF = """protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={dir}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 8
"""


class PrivateDovecot:
    """An IMAP server (Dovecot) with one mailbox and its own configuration."""

    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.port = free_port()
        self.directory = Path(_tmp_dir("dovecot-"))
        self.config = str(self.directory / "dovecot.conf")

    @classmethod
    def available(cls) -> bool:
        # It drops privileges to the mail user itself, so it starts as root.
        return os.path.exists(cls.binary) and os.geteuid() == 0

    def start(self) -> None:
        self.directory.chmod(0o755)
        (self.directory / "dovecot.conf").write_text(
            DOVECOT_CONF.format(dir=self.directory, port=self.port)
        )
        (self.directory / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        (self.directory / "mail").mkdir()
        shutil.chown(self.directory / "mail", "mail", "mail")
        subprocess.run([self.binary, "-c", self.config], check=True, timeout=30)
        _wait_for_port(self.port, "the private Dovecot")

    def stop(self) -> None:
        subprocess.run(
            [self.binary, "-c", self.config, "stop"], check=False, timeout=30
        )
        shutil.rmtree(self.directory, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def env(self) -> dict[str, str]:
        """Settings of a `manage.py` process that polls this mailbox."""
        return {
            "IMAP_HOST": "127.0.0.1",
            "IMAP_PORT": str(self.port),
            "IMAP_SSL": "false",
            "IMAP_USER": self.user,
            "IMAP_PASSWORD": self.password,
            "IMAP_FOLDER": "INBOX",
        }


class SmtpSink:
    """An SMTP server that keeps what it accepts.

    With `stall_first`, the first message is read to its end but never
    answered: the sender is left waiting for the reply that would make the
    message accepted, which is the middle of sending.
    """

    def __init__(self, *, stall_first: bool = False) -> None:
        from aiosmtpd.controller import Controller

        self.accepted: list[MailMessage] = []
        self.stalled = threading.Event()
        self._stall = stall_first
        self._release = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self._stall:
            self._stall = False
            self.stalled.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Not accepted, try again later"
        self.accepted.append(
            email.message_from_bytes(envelope.content, policy=policy.default)
        )
        return "250 OK"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self._release.set()
        self.controller.stop()


class WorkerProcess:
    """`celery -A helpdesk worker` in a process of its own (solo pool: one process)."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.env = {**os.environ, **env}
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "helpdesk",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    "--hostname",
                    f"{self.name}@%h",
                ],
                env=self.env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no clean-up."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # a warm shutdown: the task at hand finishes
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")
