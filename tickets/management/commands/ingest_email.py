"""Feed e-mail into the ticket pipeline: from a mail server's pipe, or a Maildir or mbox.

    ingest_email < message.eml          # one RFC 5322 message on standard input
    ingest_email /var/mail/support      # every message of an mbox file
    ingest_email ~/Maildir              # every message of a Maildir

Exits 0 once each message is stored and processed, whatever became of it
(held and failed mail waits for staff at /staff/mail/). When a message could
not be stored, or the database went away before it was processed, it exits 75
(EX_TEMPFAIL) with the reason on one line of standard error: the MTA keeps the
message and delivers it again later, and a copy stored the first time is then
processed, not stored twice. Most MTAs bounce on any other non-zero exit.
"""

from __future__ import annotations

import mailbox
import os
import sys
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError

from tickets.email.incoming import ingest
from tickets.models import InboundEmail


def _messages(path: str) -> Iterator[bytes]:
    if os.path.isdir(path):
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
    else:
        with open(path, "rb") as file:
            # One message saved with an mbox "From " line is still one .eml.
            is_mbox = file.read(5) == b"From " and not path.endswith(".eml")
        if not is_mbox:
            with open(path, "rb") as file:
                yield file.read()
            return
        box = mailbox.mbox(path, factory=None, create=False)
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    finally:
        box.close()


class Command(BaseCommand):
    help = "Store and process e-mail from standard input, a Maildir or an mbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", nargs="?", help="a Maildir or mbox (default: stdin)"
        )

    def handle(self, *args, path: str | None = None, **options) -> None:
        try:
            if path:
                source = InboundEmail.Source.FILE
                messages = _messages(path)
            else:
                source = InboundEmail.Source.PIPE
                messages = iter([sys.stdin.buffer.read()])
            counts: dict[str, int] = {}
            for raw in messages:
                if not raw.strip():
                    raise CommandError("the message is empty")
                inbound = ingest(raw, source=source)
                counts[inbound.status] = counts.get(inbound.status, 0) + 1
        except CommandError:
            raise
        except Exception as error:
            # One line for the MTA's log; EX_TEMPFAIL so that it retries, not bounces.
            message = " ".join(f"{type(error).__name__}: {error}".split())
            raise CommandError(
                f"temporary failure, deliver the message again later: {message}",
                returncode=os.EX_TEMPFAIL,
            ) from error
        if options["verbosity"] > 1 or path:
            summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
            self.stdout.write(summary or "no messages")
