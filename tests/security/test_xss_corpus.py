"""Every XSS payload, in every text a user controls, renders inert everywhere it appears."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.urls import reverse

from tests.auth import sign_in
from tests.security.inert_html import script_risks
from tests.tickets.conftest import upload
from tickets import rating_links
from tickets.models import SavedFilter, TelegramLink, Ticket
from tickets.services import (
    add_message,
    change_ticket_status,
    link_tickets,
    merge_ticket,
    open_ticket,
    rate_ticket,
)

CORPUS = Path(__file__).parent / "data" / "xss-vectors.txt"
OURS = [
    '"><img src=x onerror=alert(1)>',
    "[клик](javascript:alert(1)) ![x](javascript:alert(2))",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "</textarea><script>alert(1)</script>",
    "{{ request.user }} {% debug %}",
]


def _payloads() -> list[str]:
    records = CORPUS.read_text(encoding="utf-8").split("\n%%\n")
    payloads = []
    for record in records:
        lines = [line for line in record.splitlines() if not line.startswith("#")]
        text = "\n".join(lines).strip()
        if text:
            payloads.append(text)
    return payloads + OURS


PAYLOADS = _payloads()


def test_the_corpus_is_read_whole() -> None:
    assert len(PAYLOADS) > 80
    assert all(
        script_risks(f"<p>{p}</p>") for p in PAYLOADS[:3]
    )  # the detector sees raw payloads


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload", PAYLOADS, ids=[f"p{n:03d}" for n in range(len(PAYLOADS))]
)
def test_payload_is_inert_everywhere(
    client,
    payload,
    customer,
    agent,
    organisation,
    active_licence,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    text = payload[:190]
    organisation.name = text
    organisation.save()
    customer.full_name = text
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(
            contact=customer,
            licence=active_licence,
            subject=text,
            description=payload,
            category=Ticket.Category.OTHER,
            attachments=[upload(f"{text[:60]}.txt", b"x")],
        )
        ticket.assignee = agent
        ticket.save()
        add_message(ticket, author=agent, body=payload)
        add_message(ticket, author=agent, body=payload, internal=True)
        add_message(ticket, author=customer, body=payload)
        # A duplicate merged in (its e-mail names both subjects) and a link.
        duplicate = open_ticket(
            contact=customer,
            licence=active_licence,
            subject=text,
            description=payload,
            category=Ticket.Category.OTHER,
        )
        merge_ticket(duplicate, into=ticket, by=agent)
        related = open_ticket(
            contact=customer,
            licence=active_licence,
            subject=text,
            description=payload,
            category=Ticket.Category.OTHER,
        )
        link_tickets(ticket, related, by=agent)
    SavedFilter.objects.create(
        owner=agent, name=text[:80], query=urlencode({"q": text})
    )

    pages = {}
    client.force_login(customer)
    for name in (
        "/",
        "/tickets/",
        ticket.get_absolute_url(),
        "/organisation/contacts/",
        "/organisation/figures/",
    ):
        pages[f"customer {name}"] = client.get(name).content.decode()
    sign_in(client, agent)
    for name in (
        "/tickets/",
        ticket.get_absolute_url(),
        "/admin/tickets/ticket/",
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        "/admin/accounts/organisation/",
        duplicate.get_absolute_url(),
        "/staff/queue/",
        f"/staff/queue/?{urlencode({'q': text[:40]})}",
        f"/staff/queue/?{SavedFilter.objects.get().query}",
    ):
        pages[f"agent {name}"] = client.get(name).content.decode()
    # Closed (the e-mail asks for the rating), then rated with a comment: the
    # page the e-mail's link opens shows both, to anyone holding the link.
    with django_capture_on_commit_callbacks(execute=True):
        change_ticket_status(ticket, to=Ticket.Status.CLOSED, by=agent)
    rate_ticket(ticket, by=customer, score=1, comment=payload)
    link = reverse(
        "tickets:rate_by_link",
        args=[rating_links.make_token(ticket, score=1, user=customer)],
    )
    pages["rating link"] = client.get(link).content.decode()
    for n, message in enumerate(mail.outbox):
        for body, kind in message.alternatives:
            if kind == "text/html":
                pages[f"e-mail {n}"] = body

    found = {
        where: risks for where, html in pages.items() if (risks := script_risks(html))
    }
    assert found == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload", PAYLOADS, ids=[f"p{n:03d}" for n in range(len(PAYLOADS))]
)
def test_telegram_text_is_inert_everywhere(
    client,
    payload,
    telegram,
    bot_api,
    customer,
    agent,
    active_licence,
    django_capture_on_commit_callbacks,
) -> None:
    """What arrives by Telegram (subject, text, file name, account name) shows as text."""
    chat = telegram(first_name=payload[:60])
    TelegramLink.objects.create(
        user=customer, chat_id=chat.chat_id, telegram_name=payload[:300]
    )
    bot_api.files["file"] = b"x"
    chat.press("new")
    chat.send(payload[:190])
    chat.send(payload, document=("file", f"{payload[:60]}.txt"))
    chat.press("send")
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=agent, body="Ответ")
    chat.send(payload, reply_to=chat.last()["message_id"])
    assert ticket.messages.filter(channel=Ticket.Channel.TELEGRAM).count() == 2

    pages = {}
    client.force_login(customer)
    for name in ("/tickets/", ticket.get_absolute_url(), "/tickets/telegram/"):
        pages[f"customer {name}"] = client.get(name).content.decode()
    sign_in(client, agent)
    for name in ("/tickets/", ticket.get_absolute_url(), "/staff/queue/"):
        pages[f"agent {name}"] = client.get(name).content.decode()

    found = {
        where: risks for where, html in pages.items() if (risks := script_risks(html))
    }
    assert found == {}
    # The bot sends plain text: nothing users wrote is read as Telegram markup.
    assert all("parse_mode" not in sent for sent in bot_api.sent())
