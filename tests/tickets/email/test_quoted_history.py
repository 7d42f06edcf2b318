"""Quoted history below an e-mailed reply is kept, and folded in the thread."""

from __future__ import annotations

import pytest

from tests.tickets.email.conftest import corpus
from tickets.email.incoming import ingest
from tickets.email.text import split_quoted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("Ok.\n\n-----Original Message-----\nFrom: x\n\nold", "Ok."),
        ("Ok.\n\nOn Mon, 9 Mar 2026 at 09:00, Support <s@x> wrote:\n> old", "Ok."),
        ("Ок.\n\n09.03.2026 9:00, Поддержка пишет:\n> старое", "Ок."),
        ("Ok.\n\n> old\n> older", "Ok."),
        ("Ok.\n\nFrom: Support\nSent: Monday\nSubject: x\n\nold", "Ok."),
    ],
)
def test_the_history_is_found(text, new) -> None:
    head, quoted = split_quoted(text)
    assert head == new
    assert quoted
    assert head + quoted.strip() != ""


def test_inline_answers_between_quotes_stay_visible() -> None:
    text = "> question one\nanswer one\n> question two\nanswer two"
    assert split_quoted(text) == (text, "")


def test_the_ticket_page_folds_the_history(client, mail_world, customer) -> None:
    ingest(corpus("own__outlook-reply.eml"), source="imap")
    client.force_login(customer)

    page = client.get(mail_world.get_absolute_url()).content.decode()

    assert "The driver update helped" in page
    assert '<details class="quoted-history">' in page
    details = page.split('<details class="quoted-history">')[1]
    assert "Original Message" in details
    assert "Please update the driver." in details
