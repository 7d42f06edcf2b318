"""Idempotence, threading and the spoofing rule, loop rules, auto-replies."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command

from outbox.models import OutgoingEmail
from tests.tickets.email.conftest import REFERENCE, corpus
from tickets.email.incoming import ingest
from tickets.email.parsing import loop_reason, parse
from tickets.models import AutoReply, InboundEmail, Message, Ticket

pytestmark = pytest.mark.django_db


def mail(
    sender: str = "customer@alfa.example",
    subject: str = "Вопрос",
    body: str = "Текст",
    message_id: str = "<m1@alfa.example>",
    extra: str = "",
) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@helpdesk.localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def test_the_same_bytes_twice_change_nothing(mail_world) -> None:
    first = ingest(corpus("own__new-ticket-plain.eml"), source="pipe")
    again = ingest(corpus("own__new-ticket-plain.eml"), source="pipe")

    assert again.pk == first.pk
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 1


def test_the_same_message_id_with_other_bytes_changes_nothing(mail_world) -> None:
    first = ingest(mail(body="one"), source="imap")
    again = ingest(mail(body="one, relayed with another Received line"), source="imap")

    assert again.pk == first.pk
    assert Ticket.objects.filter(channel=Ticket.Channel.EMAIL).count() == 1


def test_a_reply_by_our_message_id_lands_in_the_ticket(mail_world, customer) -> None:
    inbound = ingest(
        mail(
            subject="Re: whatever",
            extra="In-Reply-To: <hd-2026-000123.42@helpdesk.localhost>\r\n",
        ),
        source="imap",
    )

    assert inbound.ticket.reference == REFERENCE
    assert inbound.ticket_message.author == customer
    assert inbound.ticket_message.channel == Ticket.Channel.EMAIL


def test_a_copied_colleague_may_reply_by_subject_token(mail_world, colleague) -> None:
    mail_world.cc.add(colleague)

    inbound = ingest(
        mail(sender="colleague@alfa.example", subject=f"Re: [{REFERENCE}] x"),
        source="imap",
    )

    assert inbound.ticket == mail_world
    assert inbound.ticket_message.author == colleague


def test_a_member_not_on_the_ticket_cannot_write_into_it(mail_world, colleague) -> None:
    inbound = ingest(
        mail(sender="colleague@alfa.example", subject=f"Re: [{REFERENCE}] x"),
        source="imap",
    )

    assert inbound.ticket != mail_world
    assert inbound.reason_code == "new_ticket"  # their own ticket instead
    assert not Message.objects.filter(ticket=mail_world, author=colleague).exists()


def test_a_guessed_reference_from_another_organisation_opens_their_own_ticket(
    mail_world, outsider
) -> None:
    inbound = ingest(
        corpus("own__spoof-token-from-other-organisation.eml"), source="imap"
    )

    assert inbound.ticket.organisation == outsider.membership.organisation
    assert mail_world.messages.count() == 1


def test_a_stranger_naming_a_ticket_is_held(mail_world) -> None:
    inbound = ingest(corpus("own__spoof-token-from-stranger.eml"), source="imap")

    assert (inbound.status, inbound.reason_code) == ("held", "unknown_sender")
    assert inbound.ticket is None
    assert mail_world.messages.count() == 1


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ("Auto-Submitted: auto-replied\r\n", "auto_submitted"),
        ("Auto-Submitted: auto-generated\r\n", "auto_submitted"),
        ("Precedence: bulk\r\n", "precedence"),
        ("Precedence: junk\r\n", "precedence"),
        ("Precedence: list\r\n", "precedence"),
        ("Return-Path: <>\r\n", "null_return_path"),
        ("X-Loop: helpdesk.localhost\r\n", "our_loop"),
    ],
)
def test_automatic_mail_is_ignored_and_never_answered(mail_world, extra, code) -> None:
    inbound = ingest(
        mail(sender="nobody@unknown.example", extra=extra, subject=f"[{REFERENCE}]"),
        source="imap",
    )

    assert (inbound.status, inbound.reason_code) == ("ignored", code)
    assert not OutgoingEmail.objects.filter(to=["nobody@unknown.example"]).exists()
    assert mail_world.messages.count() == 1


def test_auto_submitted_no_is_a_person() -> None:
    msg, _parsed = parse(mail(extra="Auto-Submitted: no\r\n"))
    assert loop_reason(msg) is None


def test_delivery_reports_are_ignored(mail_world) -> None:
    for name in (
        "flanker__bounce_office365.eml",
        "flanker__disposition-notification.eml",
    ):
        assert ingest(corpus(name), source="imap").status == "ignored"
    assert mail_world.messages.count() == 1


def test_our_auto_reply_goes_once_per_sender_per_day(
    mail_world, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    def write(n: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            ingest(
                mail(sender="ivan@unknown.example", message_id=f"<u{n}@x>"),
                source="imap",
            )

    with time_machine.travel("2026-03-10 09:00 +03:00", tick=False):
        for n in range(3):
            write(n)
    with time_machine.travel("2026-03-11 09:00 +03:00", tick=False):
        write(9)

    replies = [m for m in mailoutbox if m.to == ["ivan@unknown.example"]]
    assert len(replies) == 2
    assert AutoReply.objects.filter(address="ivan@unknown.example").count() == 2
    assert replies[0].extra_headers["Auto-Submitted"] == "auto-replied"
    assert replies[0].extra_headers["X-Loop"] == "helpdesk.localhost"
    assert replies[0].extra_headers["In-Reply-To"] == "<u0@x>"
    assert "/access/" in replies[0].body
    assert InboundEmail.objects.filter(status="held").count() == 4


def test_a_lapsed_customer_hears_how_to_renew(
    mail_world, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inbound = ingest(corpus("own__lapsed-subscription.eml"), source="imap")

    assert inbound.reason_code == "no_active_subscription"
    (reply,) = [m for m in mailoutbox if m.to == ["lapsed@gamma.example"]]
    assert "support@helpdesk.localhost" in reply.body


def test_a_failure_is_kept_and_the_command_still_exits_zero(
    mail_world, monkeypatch
) -> None:
    from tickets.email import incoming

    def broken(*args, **kwargs):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(incoming, "parse", broken)
    call_command("ingest_email", str(_write(mail_world, mail())))

    inbound = InboundEmail.objects.get()
    assert inbound.status == "failed"
    assert "parser exploded" in inbound.reason


def _write(ticket, raw: bytes):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(dir="/tmp")) / "one.eml"
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize("charset", ["utf-8", "cp1251"])
def test_a_raw_8bit_subject_is_read_in_its_charset(mail_world, charset) -> None:
    raw = (
        "From: customer@alfa.example\r\nTo: support@helpdesk.localhost\r\n"
        "Subject: Не запускается сервер\r\nMessage-ID: <raw8@alfa.example>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n\r\n"
        "Текст\r\n"
    ).encode(charset)

    inbound = ingest(raw, source="pipe")

    assert inbound.subject == "Не запускается сервер"
    assert inbound.ticket.subject == "Не запускается сервер"
