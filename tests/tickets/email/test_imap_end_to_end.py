"""A real IMAP server (Dovecot) and a real SMTP sink (aiosmtpd) around the whole loop.

A customer's e-mail becomes a ticket; the agent's reply leaves through the
outbox with threading headers; the customer's e-mailed reply lands in the
same ticket; an auto-reply from the customer's mail server creates nothing.
"""

from __future__ import annotations

import email
import imaplib
from collections.abc import Iterator
from email.message import Message as MailMessage
from email.utils import make_msgid

import pytest

from outbox.models import OutgoingEmail
from tests.private_services import PrivateDovecot, free_port
from tests.requirements import require
from tests.tickets.email.conftest import corpus
from tickets.email.imap import poll_mailbox
from tickets.models import InboundEmail, Ticket
from tickets.services import add_message

pytestmark = pytest.mark.django_db

MAILBOX, PASSWORD = "support@helpdesk.test", "secret"


@pytest.fixture
def dovecot() -> Iterator[int]:
    require(
        PrivateDovecot.available(),
        "Dovecot is not installed (apt-get install -y dovecot-imapd) or not root",
    )
    server = PrivateDovecot(MAILBOX, PASSWORD)
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


@pytest.fixture
def smtp_sink(settings) -> Iterator[list[MailMessage]]:
    from aiosmtpd.controller import Controller

    received: list[MailMessage] = []

    class Sink:
        async def handle_DATA(self, server, session, envelope) -> str:
            received.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture
def imap(dovecot, settings) -> Iterator[imaplib.IMAP4]:
    settings.IMAP_HOST, settings.IMAP_PORT = "127.0.0.1", dovecot
    settings.IMAP_SSL = False
    settings.IMAP_USER, settings.IMAP_PASSWORD = MAILBOX, PASSWORD
    settings.IMAP_FOLDER = "INBOX"
    client = imaplib.IMAP4("127.0.0.1", dovecot, timeout=10)
    client.login(MAILBOX, PASSWORD)
    yield client
    client.logout()


def _deliver(client: imaplib.IMAP4, raw: bytes) -> None:
    status, _data = client.append("INBOX", None, None, raw)
    assert status == "OK"


def _count(client: imaplib.IMAP4) -> int:
    client.select("INBOX")
    return int(client.search(None, "ALL")[1][0].split().__len__())


def _reply(to: str, in_reply_to: str, body: str, *, extra: str = "") -> bytes:
    return (
        f"From: Анна <customer@alfa.example>\r\nTo: {to}\r\n"
        "Subject: Re: Служба не запускается\r\n"
        f"Message-ID: {make_msgid(domain='alfa.example')}\r\n"
        f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def test_mail_in_reply_out_reply_in_and_no_loop(
    imap, smtp_sink, customer, active_licence, agent, django_capture_on_commit_callbacks
) -> None:
    # 1. The customer writes; the poller files a ticket and acknowledges it.
    _deliver(imap, corpus("own__new-ticket-plain.eml"))
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_mailbox() == 1
    ticket = Ticket.objects.get(channel=Ticket.Channel.EMAIL)
    assert ticket.contact == customer
    assert _count(imap) == 0  # removed once committed
    (ack,) = smtp_sink
    assert ack["Message-ID"] == f"<{ticket.reference.lower()}@helpdesk.localhost>"
    assert ack["Auto-Submitted"] == "auto-generated"

    # 2. The agent replies in the portal; it leaves through the outbox, threaded.
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=agent, body="Обновите драйвер.")
    reply = smtp_sink[1]
    assert reply["In-Reply-To"] == ack["Message-ID"]
    assert reply["References"] == ack["Message-ID"]
    assert reply["Reply-To"] == f"support+{ticket.reference.lower()}@helpdesk.localhost"
    assert reply["X-Loop"] == "helpdesk.localhost"
    assert (
        OutgoingEmail.objects.filter(ticket_id=ticket.pk, sent_at__isnull=False).count()
        == 2
    )

    # 3. The customer answers by e-mail: the answer lands in the same ticket.
    _deliver(imap, _reply(reply["Reply-To"], reply["Message-ID"], "Помогло, спасибо!"))
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_mailbox() == 1
    latest = ticket.messages.order_by("-pk").first()
    assert latest.body == "Помогло, спасибо!"
    assert latest.author == customer

    # 4. The customer's server answers automatically: nothing is created or sent.
    sent_before = len(smtp_sink)
    _deliver(
        imap,
        _reply(
            reply["Reply-To"],
            reply["Message-ID"],
            "I am out of the office.",
            extra="Auto-Submitted: auto-replied\r\n",
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_mailbox() == 1
    assert ticket.messages.count() == 3
    assert len(smtp_sink) == sent_before
    assert InboundEmail.objects.filter(status="ignored").count() == 1
    assert _count(imap) == 0


def test_no_host_means_no_polling(settings) -> None:
    settings.IMAP_HOST = ""
    assert poll_mailbox() == 0
