"""Account e-mail is an outbox row like any other: written with the change, sent once."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.services import invite_contact
from outbox.email import send_outgoing_email, send_unsent
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def _invite(organisation):
    return invite_contact(
        organisation, email="new.contact@alfa.example", full_name="Новый Контакт"
    )


def test_an_invitation_is_an_outbox_row_written_with_it(
    organisation, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invite(organisation)
        row = OutgoingEmail.objects.get()
    assert row.to == ["new.contact@alfa.example"]
    assert row.ticket_id is None
    assert row.sent_at is None
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    row.refresh_from_db()
    assert row.sent_at is not None
    (sent,) = mailoutbox
    assert sent.to == ["new.contact@alfa.example"]
    assert sent.extra_headers["Message-ID"] == row.message_id


def test_a_rolled_back_invitation_leaves_no_mail(organisation, mailoutbox) -> None:
    def invite_then_fail() -> None:
        with transaction.atomic():
            _invite(organisation)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        invite_then_fail()

    assert not OutgoingEmail.objects.exists()
    assert mailoutbox == []


def test_an_invitation_is_sent_once_even_when_the_task_runs_twice(
    organisation, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _invite(organisation)
    row = OutgoingEmail.objects.get()

    assert send_outgoing_email(row.pk) is False
    assert send_unsent() == 0
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.get().attempts == 1
