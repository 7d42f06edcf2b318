"""A form that comes back with an error keeps the files chosen, says what is
wrong at the top with a link to each field, and marks the fields."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils.timezone import now

from tests.tickets.conftest import upload
from tickets.models import Attachment, KeptUpload, Ticket
from tickets.services import forget_kept_uploads

pytestmark = pytest.mark.django_db


def _form(licence, **overrides):
    return {
        "licence": licence.pk,
        "subject": "Ошибка при входе",
        "description": "Подробности",
        "category": "configuration",
        "priority": "normal",
        "contact_email": "anna@alfa.example",
        **overrides,
    }


def _kept_codes(html: str) -> list[str]:
    return re.findall(r'name="kept" value="([0-9a-f-]{36})" checked', html)


def test_files_chosen_in_a_form_with_an_error_are_kept_and_attached_later(
    client, customer, active_licence
) -> None:
    client.force_login(customer)

    first = client.post(
        "/tickets/new/",
        {
            **_form(active_licence, subject=""),
            "attachments": [upload("a.txt", b"one"), upload("b.log", b"two")],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = first.content.decode()
    codes = _kept_codes(html)
    assert first.status_code == 200
    assert "Files kept from your last try" in html
    assert len(codes) == 2

    # Sent again with the subject, one kept file unticked, one more chosen.
    second = client.post(
        "/tickets/new/",
        {
            **_form(active_licence),
            "kept": codes[:1],
            "attachments": [upload("c.txt", b"three")],
        },
    )

    assert second.status_code == 302
    ticket = Ticket.objects.get()
    stored = {}
    for attachment in Attachment.objects.filter(message__ticket=ticket):
        with attachment.file.open("rb") as content:
            stored[attachment.original_name] = content.read()
    assert stored == {"a.txt": b"one", "c.txt": b"three"}
    # The one attached is no longer kept; the unticked one waits to be purged.
    assert list(KeptUpload.objects.values_list("original_name", flat=True)) == ["b.log"]


def test_a_reply_with_an_error_keeps_its_files(client, customer, ticket) -> None:
    client.force_login(customer)
    url = ticket.get_absolute_url()

    first = client.post(
        url,
        {"body": "", "attachments": [upload("big.exe", b"MZ"), upload("ok.txt", b"x")]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = first.content.decode()
    codes = _kept_codes(html)

    # The file that can never be attached is said so, and not kept.
    assert "cannot be attached (big.exe)" in html
    assert len(codes) == 1
    second = client.post(url, {"body": "Вот журнал", "kept": codes})
    assert second.status_code == 302
    assert ticket.messages.last().attachments.get().original_name == "ok.txt"


def test_another_persons_kept_file_cannot_be_used(
    client, customer, colleague, active_licence
) -> None:
    client.force_login(colleague)
    page = client.post(
        "/tickets/new/",
        {**_form(active_licence, subject=""), "attachments": [upload("mine.txt")]},
    )
    [code] = _kept_codes(page.content.decode())
    client.force_login(customer)

    client.post("/tickets/new/", {**_form(active_licence), "kept": [code]})

    ticket = Ticket.objects.get()
    assert not Attachment.objects.filter(message__ticket=ticket).exists()
    assert KeptUpload.objects.filter(code=code).exists()


def test_kept_files_not_sent_again_are_deleted_after_a_day(
    client, customer, active_licence
) -> None:
    client.force_login(customer)
    client.post(
        "/tickets/new/",
        {**_form(active_licence, subject=""), "attachments": [upload("old.txt")]},
    )
    kept = KeptUpload.objects.get()
    stored = kept.file.name
    storage = kept.file.storage

    assert forget_kept_uploads() == 0
    KeptUpload.objects.update(created_at=now() - datetime.timedelta(days=2))
    assert forget_kept_uploads() == 1

    assert not KeptUpload.objects.exists()
    assert not storage.exists(stored)


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Please correct the form"), ("ru", "Исправьте ошибки в форме")],
)
def test_errors_are_summed_up_at_the_top_with_links_to_the_fields(
    client, customer, active_licence, language, title
) -> None:
    client.force_login(customer)

    html = client.post(
        "/tickets/new/",
        _form(active_licence, subject="", contact_email="not an address"),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()

    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert title in summary
    assert 'href="#id_subject"' in summary
    assert 'href="#id_contact_email"' in summary
    assert "data-focus-on-load" in html
    assert re.search(r'<input[^>]*name="subject"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*name="contact_email"[^>]*aria-invalid="true"', html)
    assert html.index("error-summary") < html.index('name="subject"')


def test_a_staff_reply_with_an_error_keeps_its_files(staff_client, ticket) -> None:
    first = staff_client.post(
        ticket.get_absolute_url(),
        {
            "body": "Смотрите",
            "then_status": "no-such",
            "attachments": [upload("t.txt")],
        },
    )
    html = first.content.decode()
    codes = _kept_codes(html)

    assert len(codes) == 1
    assert 'href="#id_then_status"' in html
    staff_client.post(ticket.get_absolute_url(), {"body": "Смотрите", "kept": codes})
    assert ticket.messages.last().attachments.get().original_name == "t.txt"
