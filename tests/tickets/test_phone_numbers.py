from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db.models import CharField, Value
from django.db.models.functions import Cast

from tests.auth import sign_in
from tickets.models import Ticket
from tickets.services import open_ticket

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tickets.migrations.0015_contact_phones_to_e164")


def _file(customer, licence, phone: str = "") -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject="Звонок",
        description="Перезвоните.",
        category=Ticket.Category.OTHER,
        contact_phone=phone,
    )


def _store_as_typed(ticket: Ticket, text: str) -> None:
    """As the text field held it, past the phone number field's rule."""
    Ticket.objects.filter(pk=ticket.pk).update(
        contact_phone=Value(text, output_field=CharField())
    )


def _stored(ticket: Ticket) -> str:
    return (
        Ticket.objects.filter(pk=ticket.pk)
        .values_list(Cast("contact_phone", output_field=CharField()), flat=True)
        .get()
    )


def test_a_phone_typed_in_any_form_is_stored_in_e164(customer, active_licence) -> None:
    ticket = _file(customer, active_licence, "8 (912) 345-67-89")

    assert _stored(ticket) == "+79123456789"
    assert ticket.contact_phone == "+7 912 345-67-89"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8 (912) 345-67-89", "+79123456789"),
        ("+7 912 345 67 89", "+79123456789"),
        ("8-800-555-35-35", "+78005553535"),
        ("+1 202 555 0100", "+12025550100"),
        ("+79123456789", "+79123456789"),
        # Not valid numbers: kept as typed, which the field keeps too.
        ("912 345", "912 345"),
        ("1234567", "1234567"),
        ("+71234567", "+71234567"),
        ("доб. 123, спросить Ивана", "доб. 123, спросить Ивана"),
        ("", ""),
    ],
)
def test_the_migration_stores_valid_numbers_in_e164_and_keeps_the_rest(
    customer, active_licence, typed, stored
) -> None:
    ticket = _file(customer, active_licence)
    _store_as_typed(ticket, typed)

    migration.contact_phones_to_e164(apps, None)

    assert _stored(ticket) == stored


def test_the_migration_leaves_other_tickets_alone(customer, active_licence) -> None:
    converted = _file(customer, active_licence)
    _store_as_typed(converted, "8 (912) 345-67-89")
    untouched = _file(customer, active_licence, "+7 495 000-00-01")
    updated_at = Ticket.objects.get(pk=untouched.pk).updated_at

    migration.contact_phones_to_e164(apps, None)
    migration.contact_phones_to_e164(apps, None)

    assert _stored(converted) == "+79123456789"
    assert _stored(untouched) == "+74950000001"
    assert Ticket.objects.get(pk=untouched.pk).updated_at == updated_at


def test_a_kept_text_is_shown_and_found_as_it_was_typed(
    client, agent, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence)
    _store_as_typed(ticket, "доб. 12345, Иван")
    migration.contact_phones_to_e164(apps, None)

    kept = Ticket.objects.get(pk=ticket.pk).contact_phone
    assert (str(kept), kept.is_valid()) == ("доб. 12345, Иван", False)
    assert list(Ticket.objects.search("12345")) == [ticket]
    sign_in(client, agent)
    assert "доб. 12345, Иван" in client.get(ticket.get_absolute_url()).content.decode()


def test_search_finds_a_converted_number_typed_in_any_form(
    customer, active_licence
) -> None:
    ticket = _file(customer, active_licence)
    _store_as_typed(ticket, "8 (912) 345-67-89")
    migration.contact_phones_to_e164(apps, None)

    assert list(Ticket.objects.search("+7 912 345-67-89")) == [ticket]
    assert list(Ticket.objects.search("345-67-89")) == [ticket]


def _filing(licence, phone: str) -> dict[str, object]:
    return {
        "licence": licence.pk,
        "subject": "Ошибка при входе",
        "description": "Текст",
        "category": "configuration",
        "priority": "normal",
        "contact_email": "anna@alfa.example",
        "contact_phone": phone,
    }


def test_the_ticket_form_stores_the_phone_in_e164(
    client, customer, active_licence
) -> None:
    client.force_login(customer)

    client.post("/tickets/new/", _filing(active_licence, "8 (912) 345-67-89"))

    assert _stored(Ticket.objects.get()) == "+79123456789"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Введите корректный номер телефона"),
        ("en", "Enter a valid phone number"),
    ],
)
def test_the_ticket_form_refuses_what_is_not_a_phone_number_in_the_users_language(
    client, customer, active_licence, language, message
) -> None:
    client.force_login(customer)

    response = client.post(
        "/tickets/new/",
        _filing(active_licence, "позвоните Ивану"),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_ticket_form_offers_the_contacts_phone(
    client, customer, active_licence
) -> None:
    customer.phone = "+79123456789"
    customer.save()
    client.force_login(customer)

    text = client.get("/tickets/new/").content.decode()

    assert 'type="tel"' in text
    assert 'value="8 (912) 345-67-89"' in text
