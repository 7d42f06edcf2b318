from __future__ import annotations

import pytest

from tests.auth import sign_in
from tests.tickets.conftest import upload
from tickets.services import add_message

pytestmark = pytest.mark.django_db


def _fetch(client, url: str):
    """GET a file and read it to the end, as a browser would (which closes it)."""
    response = client.get(url)
    if response.status_code == 200:
        response.content_bytes = b"".join(response.streaming_content)
    return response


@pytest.fixture
def files(ticket, customer):
    message = add_message(
        ticket,
        author=customer,
        body="Файлы",
        attachments=[
            upload('отчёт "x".html', b"<script>alert(1)</script>", "text/html"),
            upload("image.svg", b"<svg onload=alert(1)></svg>", "image/svg+xml"),
            upload("screen.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        ],
    )
    return {a.original_name: a for a in message.attachments.all()}


def test_anything_a_browser_could_run_is_downloaded(client, customer, files) -> None:
    client.force_login(customer)

    for name in ('отчёт "x".html', "image.svg"):
        response = _fetch(client, files[name].get_absolute_url() + "?inline=1")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_original_name_is_safely_encoded(client, customer, files) -> None:
    client.force_login(customer)

    disposition = _fetch(client, files['отчёт "x".html'].get_absolute_url())[
        "Content-Disposition"
    ]

    assert "filename*=utf-8''" in disposition
    assert '"x"' not in disposition


def test_images_may_be_shown_inline(client, customer, files) -> None:
    client.force_login(customer)

    response = _fetch(client, files["screen.png"].get_absolute_url() + "?inline=1")

    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "image/png"
    assert response.content_bytes == b"\x89PNG\r\n\x1a\n"


def test_outsiders_get_404_for_files(client, outsider, files) -> None:
    client.force_login(outsider)

    assert client.get(files["screen.png"].get_absolute_url()).status_code == 404


def test_a_file_cannot_be_fetched_through_another_ticket(
    client, customer, files, colleagues_ticket
) -> None:
    client.force_login(customer)
    attachment = files["screen.png"]

    response = client.get(
        f"/tickets/{colleagues_ticket.reference}/files/{attachment.code}/"
    )

    assert response.status_code == 404


def test_files_of_internal_notes_stay_with_staff(
    client, customer, agent, ticket
) -> None:
    note = add_message(
        ticket, author=agent, body="x", internal=True, attachments=[upload("dump.txt")]
    )
    url = note.attachments.get().get_absolute_url()

    client.force_login(customer)
    assert client.get(url).status_code == 404
    sign_in(client, agent)
    assert _fetch(client, url).status_code == 200
