"""An attachment's type comes from its bytes; only real images named as such show inline."""

from __future__ import annotations

import importlib
import struct
import zlib

import pytest
from django.apps import apps

from tests.tickets.conftest import upload
from tests.tickets.telegram.conftest import (  # noqa: F401 (fixtures)
    bot_api,
    customer_chat,
    telegram,
)
from tickets.email.incoming import ingest
from tickets.file_types import stored_content_type
from tickets.models import Attachment, Ticket
from tickets.services import add_message

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    """A valid 1×1 greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script>"
# A GIF header (1×1, no colour table) whose bytes go on as a page.
POLYGLOT = b"GIF89a\x01\x00\x01\x00\x00\x00\x00" + HTML
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def _attach(ticket, customer, name: str, content: bytes, claimed: str) -> Attachment:
    message = add_message(
        ticket,
        author=customer,
        body="Файл",
        attachments=[upload(name, content, claimed)],
    )
    return message.attachments.get()


def _fetch_inline(client, attachment: Attachment):
    """Ask for the file to be shown inline, and read it to the end as a browser would."""
    response = client.get(attachment.get_absolute_url() + "?inline=1")
    assert response.status_code == 200
    response.content_bytes = b"".join(response.streaming_content)
    return response


def _assert_downloaded(response) -> None:
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("screen.png", PNG, "image/png"),
        ("SCREEN.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("anim.gif", POLYGLOT, "image/gif"),
        ("screen.png", HTML, "application/octet-stream"),
        ("photo.jpg", PNG, "application/octet-stream"),
        ("screen.png", JPEG, "application/octet-stream"),
        ("screen.png", POLYGLOT, "application/octet-stream"),
        ("report.pdf", PDF, "application/pdf"),
        ("report.png", PDF, "application/pdf"),
        ("page.html", HTML, "application/octet-stream"),
        ("image.svg", b"<svg onload=alert(1)></svg>", "application/octet-stream"),
        ("server.log", b"ERROR 42\n", "text/plain"),
        ("data.csv", b"a;b\n1;2\n", "text/plain"),
        ("empty.png", b"", "application/octet-stream"),
    ],
)
def test_the_stored_type_comes_from_the_bytes(name, head, expected) -> None:
    assert stored_content_type(name, head) == expected


def test_html_named_png_is_stored_as_bytes_and_downloaded(
    client, customer, ticket
) -> None:
    attachment = _attach(ticket, customer, "screen.png", HTML, "image/png")
    client.force_login(customer)

    response = _fetch_inline(client, attachment)

    assert attachment.content_type == "application/octet-stream"
    assert not attachment.is_image
    _assert_downloaded(response)


def test_a_real_png_is_shown_inline_as_png(client, customer, ticket) -> None:
    attachment = _attach(ticket, customer, "screen.png", PNG, "image/png")
    client.force_login(customer)

    response = _fetch_inline(client, attachment)

    assert attachment.content_type == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "image/png"
    assert response.content_bytes == PNG


def test_png_bytes_named_jpg_are_not_inline(client, customer, ticket) -> None:
    attachment = _attach(ticket, customer, "photo.jpg", PNG, "image/jpeg")
    client.force_login(customer)

    response = _fetch_inline(client, attachment)

    assert attachment.content_type == "application/octet-stream"
    _assert_downloaded(response)


def test_a_gif_html_polyglot_is_served_as_a_sandboxed_gif(
    client, customer, ticket
) -> None:
    """GIF bytes named .gif may show inline, but only as an image: the browser
    is told the type, may not sniff another, and would run nothing."""
    attachment = _attach(ticket, customer, "anim.gif", POLYGLOT, "image/gif")
    client.force_login(customer)

    response = _fetch_inline(client, attachment)

    assert response["Content-Type"] == "image/gif"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


def test_a_pdf_is_stored_as_pdf_and_downloaded(client, customer, ticket) -> None:
    attachment = _attach(ticket, customer, "report.pdf", PDF, "application/pdf")
    client.force_login(customer)

    response = _fetch_inline(client, attachment)

    assert attachment.content_type == "application/pdf"
    _assert_downloaded(response)
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_pdf_named_png_is_downloaded(client, customer, ticket) -> None:
    attachment = _attach(ticket, customer, "report.png", PDF, "image/png")
    client.force_login(customer)

    response = _fetch_inline(client, attachment)

    assert attachment.content_type == "application/pdf"
    _assert_downloaded(response)


def test_an_emailed_page_named_png_is_not_an_image(customer, active_licence) -> None:
    raw = (
        "From: customer@alfa.example\r\nTo: support@helpdesk.localhost\r\n"
        "Subject: Screenshot\r\nMessage-ID: <types@alfa.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the file.\r\n"
        "--b\r\nContent-Type: image/png\r\n"
        'Content-Disposition: attachment; filename="screen.png"\r\n\r\n'
        f"{HTML.decode()}\r\n--b--\r\n"
    ).encode()

    inbound = ingest(raw, source="imap")

    attachment = inbound.ticket_message.attachments.get()
    assert attachment.original_name == "screen.png"
    assert attachment.content_type == "application/octet-stream"


def test_a_telegram_page_named_png_is_not_an_image(
    customer_chat,  # noqa: F811 (the imported fixture)
    bot_api,  # noqa: F811
) -> None:
    bot_api.files.update({"page": HTML, "photo": JPEG})
    customer_chat.press("new")
    customer_chat.send("Ошибка")
    customer_chat.send(photo="photo")
    customer_chat.send("Снимок экрана", document=("page", "screen.png"))
    customer_chat.press("send")

    message = Ticket.objects.get().messages.get()
    types = {a.original_name: a.content_type for a in message.attachments.all()}
    assert types == {
        "photo-uphoto.jpg": "image/jpeg",
        "screen.png": "application/octet-stream",
    }


def test_the_migration_corrects_types_stored_from_names(customer, ticket) -> None:
    page = _attach(ticket, customer, "screen.png", HTML, "image/png")
    image = _attach(ticket, customer, "real.png", PNG, "image/png")
    lost = _attach(ticket, customer, "lost.png", HTML, "image/png")
    # As stored before: the type from the name.
    Attachment.objects.filter(pk__in=[page.pk, image.pk, lost.pk]).update(
        content_type="image/png"
    )
    lost.file.storage.delete(lost.file.name)
    migration = importlib.import_module(
        "tickets.migrations.0013_attachment_types_from_bytes"
    )

    migration.types_from_bytes(apps, None)

    types = dict(
        Attachment.objects.filter(pk__in=[page.pk, image.pk, lost.pk]).values_list(
            "original_name", "content_type"
        )
    )
    assert types == {
        "screen.png": "application/octet-stream",
        "real.png": "image/png",
        "lost.png": "image/png",
    }
