"""With STORAGE_URL set, uploads live in an S3 bucket (a local moto server here)
and downloads are redirects to signed URLs that expire, after the same checks."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import boto3
import pytest
from moto.server import ThreadedMotoServer

from helpdesk.settings import _storage_from_url
from tests.auth import sign_in
from tests.private_services import free_port
from tests.tickets.conftest import upload
from tests.tickets.email.conftest import corpus
from tests.tickets.test_ticket_views import _form
from tickets.email.incoming import ingest
from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = pytest.mark.django_db

BUCKET = "helpdesk-uploads"


@pytest.fixture
def s3(settings) -> Iterator[object]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    bucket = boto3.resource(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).Bucket(BUCKET)
    bucket.create()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _storage_from_url(
            f"s3://test:test@{BUCKET}?endpoint_url={endpoint}&region=us-east-1"
        ),
    }
    try:
        yield bucket
    finally:
        server.stop()


@pytest.fixture
def ticket(customer, active_licence) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Не запускается служба",
        description="После обновления служба не стартует.",
        category=Ticket.Category.MALFUNCTION,
        priority=Ticket.Priority.HIGH,
    )


def test_a_customers_upload_is_stored_in_the_bucket_and_served_signed(
    client, customer, active_licence, s3
) -> None:
    client.force_login(customer)

    client.post(
        "/tickets/new/",
        {**_form(active_licence), "attachments": [upload("log.txt", b"boot log")]},
    )
    attachment = Ticket.objects.get().messages.get().attachments.get()
    response = client.get(attachment.get_absolute_url())

    assert [o.key for o in s3.objects.all()] == [attachment.file.name]
    assert response.status_code == 302
    signed = urlsplit(response["Location"])
    query = parse_qs(signed.query)
    assert signed.hostname == "127.0.0.1"
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-type"] == ["application/octet-stream"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    with urlopen(response["Location"], timeout=10) as fetched:
        assert fetched.read() == b"boot log"
        assert fetched.headers["Content-Disposition"].startswith("attachment;")


def test_an_image_is_signed_for_inline_display(client, customer, ticket, s3) -> None:
    message = add_message(
        ticket,
        author=customer,
        body="x",
        attachments=[upload("screen.png", b"\x89PNG\r\n\x1a\n", "image/png")],
    )
    client.force_login(customer)

    response = client.get(message.attachments.get().get_absolute_url() + "?inline=1")

    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response-content-type"] == ["image/png"]
    assert query["response-content-disposition"][0].startswith("inline")


def test_outsiders_get_404_and_no_url(client, customer, outsider, ticket, s3) -> None:
    message = add_message(
        ticket, author=customer, body="x", attachments=[upload("a.txt")]
    )
    client.force_login(outsider)

    response = client.get(message.attachments.get().get_absolute_url())

    assert response.status_code == 404
    assert "Location" not in response
    assert b"X-Amz" not in response.content


def test_files_of_internal_notes_stay_with_staff(
    client, customer, agent, ticket, s3
) -> None:
    note = add_message(
        ticket, author=agent, body="x", internal=True, attachments=[upload("dump.txt")]
    )
    client.force_login(customer)

    response = client.get(note.attachments.get().get_absolute_url())

    assert response.status_code == 404
    assert "Location" not in response


def test_staff_download_the_original_mail_from_the_bucket(
    client, agent, customer, s3
) -> None:
    held = ingest(corpus("own__unknown-sender.eml"), source="imap")
    client.force_login(customer)
    refused = client.get(f"/staff/mail/{held.code}/raw/")
    sign_in(client, agent)

    response = client.get(f"/staff/mail/{held.code}/raw/")

    assert refused.status_code in (403, 404)
    assert "Location" not in refused or "X-Amz" not in refused["Location"]
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response-content-type"] == ["application/octet-stream"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    with urlopen(response["Location"], timeout=10) as fetched:
        assert fetched.read() == corpus("own__unknown-sender.eml")


def test_without_storage_url_uploads_stay_on_the_local_disk() -> None:
    assert _storage_from_url("") == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    options = _storage_from_url("s3://k%2Fey:s%40cret@files?region=eu-1&expire=60")
    assert options["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["OPTIONS"]["bucket_name"] == "files"
    assert (options["OPTIONS"]["access_key"], options["OPTIONS"]["secret_key"]) == (
        "k/ey",
        "s@cret",
    )
    assert options["OPTIONS"]["querystring_expire"] == 60
    assert options["OPTIONS"]["default_acl"] == "private"
