"""Canned responses: placeholders filled in the customer's language, offered on the staff page."""

from __future__ import annotations

import datetime
import html

import pytest

from tests.auth import sign_in
from tickets.canned import fill, filled_responses
from tickets.models import CannedResponse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

BODY_RU = (
    "Здравствуйте, {customer_name}! Поддержка по лицензии {licence_number} "
    "действует до {support_ends_on}. Заявка {reference}. Пример: {json}"
)
BODY_EN = "Hello {customer_name}, licence {licence_number} is supported until {support_ends_on} ({reference})."


@pytest.fixture
def response() -> CannedResponse:
    return CannedResponse.objects.create(
        title="Срок поддержки", body_ru=BODY_RU, body_en=BODY_EN
    )


def test_placeholders_in_russian(ticket, response) -> None:
    [(_response, text)] = filled_responses(
        [response], ticket, support_ends_on=datetime.date(2027, 3, 1)
    )

    assert text == (
        f"Здравствуйте, Анна Смирнова! Поддержка по лицензии ALFA-0001-AAAA-0001 "
        f"действует до 1 марта 2027 г.. Заявка {ticket.reference}. Пример: {{json}}"
    )


def test_placeholders_in_english(ticket, customer, response) -> None:
    customer.language = "en"
    customer.save(update_fields=["language"])
    ticket.contact.language = "en"

    [(_response, text)] = filled_responses(
        [response], ticket, support_ends_on=datetime.date(2027, 3, 1)
    )

    assert text == (
        f"Hello Анна Смирнова, licence ALFA-0001-AAAA-0001 is supported until "
        f"March 1, 2027 ({ticket.reference})."
    )


def test_an_english_customer_gets_the_russian_text_when_there_is_no_english(
    ticket, response
) -> None:
    response.body_en = ""
    ticket.contact.language = "en"

    [(_response, text)] = filled_responses([response], ticket, support_ends_on=None)

    assert text.startswith("Здравствуйте, Анна Смирнова!")
    assert "действует до —" in text


def test_only_known_placeholders_are_filled() -> None:
    assert fill("{reference} {x} {{reference}} {", {"reference": "HD-1"}) == (
        "HD-1 {x} {HD-1} {"
    )


def test_the_staff_ticket_page_offers_active_responses_filled(
    client, agent, ticket, response
) -> None:
    CannedResponse.objects.create(title="Старый ответ", body_ru="x", is_active=False)
    sign_in(client, agent)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "data-macro-picker" in page
    assert "composer.js" in page
    assert "Старый ответ" not in page
    assert html.escape(f"Заявка {ticket.reference}.") in page
    assert "SLA" in page


def test_customers_do_not_see_canned_responses_or_the_sla(
    client, customer, ticket, response
) -> None:
    sign_in(client, customer)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "data-macro-picker" not in page
    assert "sla-panel" not in page


def test_a_canned_reply_follows_the_customers_email_language_not_their_session(
    client, customer, ticket
) -> None:
    response = CannedResponse.objects.create(
        title="Restart", body_ru="Перезапустите службу.", body_en="Restart the service."
    )
    client.force_login(customer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    ticket.contact.refresh_from_db()

    [(_response, text)] = filled_responses([response], ticket, support_ends_on=None)
    assert text == "Перезапустите службу."
