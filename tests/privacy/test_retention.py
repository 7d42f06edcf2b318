"""The nightly retention: only what is due goes, each removal leaves its
row saying so, and each run is recorded with what it freed."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import now

from privacy.models import RetentionRun
from privacy.tasks import apply_retention
from tests.auth import sign_in
from tickets.email.incoming import store_raw
from tickets.models import Attachment, InboundEmail, Ticket
from tickets.services import open_ticket

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _periods(settings) -> None:
    settings.RETENTION_CLOSED_ATTACHMENTS_DAYS = 1095
    settings.RETENTION_RAW_EMAIL_DAYS = 180


def _ticket(customer, licence, content: bytes, *, closed_days_ago: int | None):
    ticket = open_ticket(
        contact=customer,
        licence=licence,
        subject="Журнал",
        description="Во вложении.",
        category=Ticket.Category.MALFUNCTION,
        attachments=[SimpleUploadedFile("log.txt", content)],
    )
    if closed_days_ago is not None:
        Ticket.objects.filter(pk=ticket.pk).update(
            status=Ticket.Status.CLOSED, closed_at=now() - closed_days_ago * DAY
        )
    return ticket.messages.get().attachments.get()


def _mail(n: int, *, days_ago: int, status: str) -> InboundEmail:
    inbound, _created = store_raw(
        f"From: a@b.example\r\nMessage-ID: <r{n}@b.example>\r\n\r\nText {n}\r\n".encode(),
        source="imap",
    )
    InboundEmail.objects.filter(pk=inbound.pk).update(
        status=status, created_at=now() - days_ago * DAY
    )
    inbound.refresh_from_db()
    return inbound


def test_only_what_is_due_goes_and_the_run_is_recorded(
    customer, active_licence, django_capture_on_commit_callbacks, client
) -> None:
    due = _ticket(customer, active_licence, b"x" * 100, closed_days_ago=1100)
    recent = _ticket(customer, active_licence, b"y" * 10, closed_days_ago=30)
    still_open = _ticket(customer, active_licence, b"z" * 10, closed_days_ago=None)
    Attachment.objects.filter(pk=still_open.pk).update(created_at=now() - 2000 * DAY)
    old_mail = _mail(1, days_ago=200, status=InboundEmail.Status.PROCESSED)
    unprocessed = _mail(2, days_ago=200, status=InboundEmail.Status.RECEIVED)
    new_mail = _mail(3, days_ago=10, status=InboundEmail.Status.PROCESSED)
    due_name, mail_name = due.file.name, old_mail.raw.name

    with django_capture_on_commit_callbacks(execute=True):
        run_id = apply_retention.delay().get()

    run = RetentionRun.objects.get(pk=run_id)
    assert (run.attachments_removed, run.attachment_bytes) == (1, 100)
    assert (run.raw_emails_removed, run.raw_email_bytes) == (1, old_mail.size)
    assert (run.attachments_days, run.raw_email_days) == (1095, 180)
    assert run.finished_at is not None
    due.refresh_from_db()
    assert due.removal == Attachment.Removal.RETENTION
    assert due.kept_days == 1095
    assert not due.file
    assert not default_storage.exists(due_name)
    for kept in (recent, still_open):
        kept.refresh_from_db()
        assert kept.removed_at is None
        assert default_storage.exists(kept.file.name)
    old_mail.refresh_from_db()
    assert old_mail.raw_removed_at is not None
    assert not default_storage.exists(mail_name)
    for kept_mail in (unprocessed, new_mail):
        kept_mail.refresh_from_db()
        assert kept_mail.raw_removed_at is None
        assert default_storage.exists(kept_mail.raw.name)

    # The ticket says the file went; its old link finds nothing.
    sign_in(client, customer)
    ticket = due.message.ticket
    page = client.get(ticket.get_absolute_url()).text
    assert "attachment-removed" in page
    assert str(due.code) not in page
    assert client.get(due.get_absolute_url()).status_code == 404


def test_zero_keeps_for_ever_and_a_second_run_removes_nothing(
    settings, customer, active_licence
) -> None:
    _ticket(customer, active_licence, b"x", closed_days_ago=5000)
    settings.RETENTION_CLOSED_ATTACHMENTS_DAYS = 0

    first = apply_retention.delay().get()
    settings.RETENTION_CLOSED_ATTACHMENTS_DAYS = 1095
    apply_retention.delay().get()
    third = RetentionRun.objects.get(pk=apply_retention.delay().get())

    assert RetentionRun.objects.get(pk=first).attachments_removed == 0
    assert third.attachments_removed == 0
    assert RetentionRun.objects.count() == 3
    assert Attachment.objects.filter(removal="retention").count() == 1
