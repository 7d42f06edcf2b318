"""The reply form's fields: an empty form's are rendered once per process, per
form and language; a form sent back with an error is rendered with what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.auth import sign_in
from tests.tickets.conftest import upload

pytestmark = pytest.mark.django_db


def _page(user, ticket, language: str = "ru") -> str:
    client = Client()
    sign_in(client, user)
    client.cookies["django_language"] = language
    return client.get(ticket.get_absolute_url()).content.decode()


def test_staff_and_customers_each_get_their_own_fields(agent, customer, ticket) -> None:
    staff_page = _page(agent, ticket)
    customer_page = _page(customer, ticket)
    staff_again = _page(agent, ticket)

    assert 'name="kind"' in staff_page
    assert 'name="kind"' in staff_again
    assert 'name="kind"' not in customer_page
    assert 'name="attachments"' in customer_page


def test_each_language_gets_its_own_labels(customer, ticket) -> None:
    russian = _page(customer, ticket, "ru")
    english = _page(customer, ticket, "en")

    assert '<label for="id_body">Сообщение</label>' in russian
    assert '<label for="id_body">Message</label>' in english


def test_a_reply_with_an_error_keeps_its_text(customer, ticket) -> None:
    _page(customer, ticket)  # the empty form, now remembered
    client = Client()
    sign_in(client, customer)

    response = client.post(
        ticket.get_absolute_url(),
        {
            "body": "Вот журнал <b>ошибок</b>",
            "attachments": [upload("run.exe", b"MZ")],
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Вот журнал &lt;b&gt;ошибок&lt;/b&gt;</textarea>" in html
    assert "exe" in html  # the refusal says which kind of file
    assert _page(customer, ticket).count("ошибок") == 0
