"""Every message of the corpus is stored and ends where the table says, for its reason."""

from __future__ import annotations

import mailbox
import os
import sqlite3
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.tickets.email.conftest import CORPUS, REFERENCE, corpus
from tickets.email.parsing import parse
from tickets.models import InboundEmail, Message, Ticket

pytestmark = pytest.mark.django_db

P, H, IG = (
    InboundEmail.Status.PROCESSED,
    InboundEmail.Status.HELD,
    InboundEmail.Status.IGNORED,
)

# file: (status, reason code, why)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "flanker__bilingual-simple.eml": (H, "unknown_sender", "stranger"),
    "flanker__bounce_broken-mime.eml": (IG, "mailer_daemon", "from postmaster"),
    "flanker__bounce_gmail-invalid-address.eml": (IG, "null_return_path", "<>"),
    "flanker__bounce_mailbox-full.eml": (IG, "auto_submitted", "DSN"),
    "flanker__bounce_office365.eml": (IG, "auto_submitted", "NDR naming a thread"),
    "flanker__bz2-attachment.eml": (H, "unknown_sender", "stranger"),
    "flanker__complaints_aol.eml": (IG, "precedence", "ARF report, list"),
    "flanker__disposition-notification.eml": (IG, "report", "read receipt"),
    "flanker__enclosed-broken.eml": (H, "unknown_sender", "stranger"),
    "flanker__enclosed-endless.eml": (H, "unknown_sender", "= enclosed-broken"),
    "flanker__enclosed-global.eml": (H, "unknown_sender", "= enclosed-broken"),
    "flanker__false-multipart.eml": (H, "unknown_sender", "stranger"),
    "flanker__from-encoding.eml": (IG, "precedence", "bulk"),
    "flanker__iphone.eml": (H, "unknown_sender", "stranger"),
    "flanker__long-header.eml": (H, "unknown_sender", "stranger, 210 KB subject"),
    "flanker__long-links.eml": (IG, "mailer_daemon", "from postmaster"),
    "flanker__mailformed-headers.eml": (H, "unknown_sender", "stranger"),
    "flanker__mailgun-pic.eml": (H, "unknown_sender", "stranger"),
    "flanker__message-external-body.eml": (IG, "precedence", "bulk"),
    "flanker__missing-boundaries.eml": (H, "unknown_sender", "stranger"),
    "flanker__missing-final-boundary.eml": (H, "unknown_sender", "stranger"),
    "flanker__no-ctype.eml": (H, "unknown_sender", "stranger"),
    "flanker__outlook-express.eml": (H, "unknown_sender", "stranger"),
    "flanker__quoted-printable.eml": (H, "unknown_sender", "stranger"),
    "flanker__russian-attachment-yahoo.eml": (H, "unknown_sender", "stranger"),
    "flanker__signed.eml": (H, "unknown_sender", "stranger"),
    "flanker__spam_broken-headers.eml": (H, "unknown_sender", "stranger"),
    "flanker__torture.eml": (H, "unknown_sender", "stranger, 1.8 MB"),
    "own__bounce-to-our-notification.eml": (IG, "mailer_daemon", "MAILER-DAEMON"),
    "own__disallowed-attachment.eml": (P, "new_ticket", ".exe dropped, noted"),
    "own__forwarded-as-attachment.eml": (P, "new_ticket", "forward kept as .eml"),
    "own__gmail-reply.eml": (P, "reply", "References names the root"),
    "own__html-only.eml": (P, "new_ticket", "HTML made text"),
    "own__inline-image.eml": (P, "new_ticket", "inline PNG attached"),
    "own__koi8-r.eml": (P, "new_ticket", "KOI8-R body and subject"),
    "own__lapsed-subscription.eml": (H, "no_active_subscription", "lapsed"),
    "own__new-ticket-plain.eml": (P, "new_ticket", "contact, one licence"),
    "own__our-own-loop.eml": (IG, "our_loop", "our X-Loop"),
    "own__outlook-reply.eml": (P, "reply", "In-Reply-To names our event"),
    "own__precedence-bulk.eml": (IG, "precedence", "bulk"),
    "own__several-licences-none-named.eml": (H, "choose_licence", "two licences"),
    "own__several-licences-one-named.eml": (P, "new_ticket", "licence named"),
    "own__spoof-token-from-other-organisation.eml": (
        P,
        "new_ticket",
        "not a party: a ticket of their own",
    ),
    "own__spoof-token-from-stranger.eml": (H, "unknown_sender", "not a party"),
    "own__staff-sender.eml": (H, "staff_sender", "staff use the portal"),
    "own__thunderbird-reply-subject-token.eml": (P, "reply", "subject token, party"),
    "own__tnef-winmail.eml": (P, "new_ticket", "winmail.dat noted"),
    "own__unknown-8bit.eml": (P, "new_ticket", "8-bit without charset"),
    "own__unknown-sender.eml": (H, "unknown_sender", "stranger"),
    "own__vacation-auto-reply.eml": (IG, "auto_submitted", "out of office"),
    "own__windows-1251-rfc2231-name.eml": (P, "new_ticket", "Windows-1251, RFC 2231"),
}


# Same Message-ID as an earlier file: the first one stored stands for them.
DUPLICATES = {
    "flanker__enclosed-endless.eml": "flanker__enclosed-broken.eml",
    "flanker__enclosed-global.eml": "flanker__enclosed-broken.eml",
}


def test_the_table_covers_the_whole_corpus() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.eml"))
    assert len(EXPECTED) >= 40


def test_every_message_ends_where_the_table_says(mail_world) -> None:
    for name in sorted(EXPECTED):
        call_command("ingest_email", str(CORPUS / name), stdout=StringIO())

    outcomes = {
        name: InboundEmail.objects.get(sha256=_sha(DUPLICATES.get(name, name)))
        for name in EXPECTED
    }
    assert InboundEmail.objects.count() == len(EXPECTED) - len(DUPLICATES)
    wrong = {
        name: (row.status, row.reason_code, row.reason)
        for name, row in outcomes.items()
        if (row.status, row.reason_code) != EXPECTED[name][:2]
    }
    assert wrong == {}
    assert all(row.raw.size == row.size for row in outcomes.values())
    # Replies landed in the fixture ticket; spoofed tokens did not.
    ticket = Ticket.objects.get(reference=REFERENCE)
    replies = Message.objects.filter(ticket=ticket, channel=Ticket.Channel.EMAIL)
    assert replies.count() == 3
    assert not replies.filter(author__email="outsider@beta.example").exists()


def _sha(name: str) -> str:
    import hashlib

    return hashlib.sha256(corpus(name)).hexdigest()


def _ticket_of(name: str) -> Ticket:
    from tickets.email.incoming import ingest

    return ingest(corpus(name), source="file").ticket


def test_russian_charsets_are_decoded(mail_world) -> None:
    koi8 = _ticket_of("own__koi8-r.eml")
    assert koi8.subject == "Экспорт отчётов"
    assert "Не работает экспорт" in koi8.messages.get().body
    cp1251 = _ticket_of("own__windows-1251-rfc2231-name.eml")
    assert cp1251.subject == "Журнал ошибок"
    message = cp1251.messages.get()
    assert "прикладываю журнал" in message.body
    assert [a.original_name for a in message.attachments.all()] == ["журнал.log"]
    assert "Лицензия слетела" in _ticket_of("own__unknown-8bit.eml").messages.get().body


def test_html_only_mail_becomes_safe_text(mail_world) -> None:
    body = _ticket_of("own__html-only.eml").messages.get().body
    assert "Ошибка при входе" in body
    assert "- шаг один" in body
    assert "<https://example.com/log>" in body
    assert "alert" not in body
    assert "<" not in body.replace("<https://example.com/log>", "")


def test_files_over_the_rules_are_dropped_with_a_note(mail_world) -> None:
    message = _ticket_of("own__disallowed-attachment.eml").messages.get()
    assert [a.original_name for a in message.attachments.all()] == ["setup.log"]
    assert "setup.exe" in message.body
    tnef = _ticket_of("own__tnef-winmail.eml").messages.get()
    assert "winmail.dat" in tnef.body
    inline = _ticket_of("own__inline-image.eml").messages.get()
    assert [a.original_name for a in inline.attachments.all()] == ["screenshot.png"]
    forwarded = _ticket_of("own__forwarded-as-attachment.eml").messages.get()
    assert [a.content_type for a in forwarded.attachments.all()] == ["message/rfc822"]


def test_messy_real_world_mail_parses() -> None:
    _msg, yahoo = parse(corpus("flanker__russian-attachment-yahoo.eml"))
    assert any("\u0400" <= ch <= "\u04ff" for f in yahoo.files for ch in f.name)
    _msg, external = parse(corpus("flanker__message-external-body.eml"))
    assert all(f.content_type != "message/external-body" for f in external.files)
    _msg, bilingual = parse(corpus("flanker__bilingual-simple.eml"))
    assert any("\u0400" <= ch <= "\u04ff" for ch in bilingual.body)
    _msg, iphone = parse(corpus("flanker__iphone.eml"))
    assert any(f.content_type.startswith("image/") for f in iphone.files)
    for name in ("flanker__torture.eml", "flanker__enclosed-endless.eml"):
        parse(corpus(name))  # no exception, within the test's time


def test_an_mbox_and_a_maildir_given_as_a_path(mail_world, tmp_path) -> None:
    names = ["own__new-ticket-plain.eml", "own__unknown-sender.eml"]
    box = mailbox.mbox(tmp_path / "support.mbox")
    for name in names:
        box.add(corpus(name))
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for name in ["own__koi8-r.eml", "own__precedence-bulk.eml", names[0]]:
        maildir.add(corpus(name))

    out = StringIO()
    call_command("ingest_email", str(tmp_path / "support.mbox"), stdout=out)
    call_command("ingest_email", str(tmp_path / "Maildir"), stdout=out)

    assert InboundEmail.objects.count() == 4  # the repeated message once
    assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 2


def test_the_command_reads_standard_input_in_a_subprocess(tmp_path) -> None:
    """As an MTA pipe runs it: exit 0 once stored, whatever became of the mail.

    The child process has a database of its own (a migrated SQLite file): an
    in-memory test database cannot be shared with another process.
    """
    database = tmp_path / "pipe.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_BROKER_URL": "",
    }

    def manage(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            input=stdin,
            capture_output=True,
            env=env,
            cwd=settings.BASE_DIR,
            timeout=120,
            check=False,
        )

    assert manage("migrate", "-v0").returncode == 0
    stored = manage("ingest_email", stdin=corpus("own__unknown-sender.eml"))
    again = manage("ingest_email", stdin=corpus("own__unknown-sender.eml"))
    empty = manage("ingest_email", stdin=b"")

    assert stored.returncode == 0, stored.stderr
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(database) as db:
        rows = db.execute("select status, source from tickets_inboundemail").fetchall()
    assert rows == [("held", "pipe")]
    assert empty.returncode != 0
    assert len(empty.stderr.decode().strip().splitlines()) == 1
