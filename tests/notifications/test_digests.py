"""Staff e-mails: at once, then what follows within `DIGEST_WINDOW` as one
digest, sent once by the beat task; nothing during quiet hours."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from notifications.models import Notification, Preferences
from notifications.services import DIGEST_WINDOW, notify, send_due_emails
from notifications.tasks import send_due_emails as send_due_emails_task

pytestmark = pytest.mark.django_db

MSK = datetime.timezone(datetime.timedelta(hours=3))
NOON = datetime.datetime(2026, 11, 3, 12, 0, tzinfo=MSK)


def _notify(person, ticket, title: str) -> Notification:
    return notify(person, ticket, kind=Notification.Kind.RULE, title=title, text="")


def _sent(mailoutbox) -> list[str]:
    return [m.subject for m in mailoutbox]


def test_the_first_goes_at_once_and_the_rest_as_one_digest_once(
    ticket, ivan, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(NOON, tick=False):
            _notify(ivan, ticket, "Первое")
        with time_machine.travel(NOON + datetime.timedelta(minutes=1), tick=False):
            _notify(ivan, ticket, "Второе")
            _notify(ivan, ticket, "Третье")
    assert _sent(mailoutbox) == [f"[{ticket.reference}] Первое: {ticket.subject}"]

    with django_capture_on_commit_callbacks(execute=True):
        # Within the window: held.
        assert send_due_emails(NOON + datetime.timedelta(minutes=4)) == 0
        assert send_due_emails(NOON + DIGEST_WINDOW) == 1
        # Once: a second run, or a retry, finds nothing.
        assert send_due_emails(NOON + DIGEST_WINDOW) == 0
        assert send_due_emails(NOON + datetime.timedelta(hours=1)) == 0

    assert len(mailoutbox) == 2
    digest = mailoutbox[1]
    assert digest.to == [ivan.email]
    assert digest.subject.startswith("2 ")
    assert "Второе" in digest.body
    assert "Третье" in digest.body
    assert not Notification.objects.filter(emailed_at=None).exists()


def test_one_held_notification_goes_alone_after_the_window(
    ticket, ivan, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(NOON, tick=False):
            _notify(ivan, ticket, "Первое")
        with time_machine.travel(NOON + datetime.timedelta(minutes=2), tick=False):
            _notify(ivan, ticket, "Второе")
        with time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False):
            assert send_due_emails_task.delay().get() == 1

    assert _sent(mailoutbox)[-1] == f"[{ticket.reference}] Второе: {ticket.subject}"


def test_the_beat_task_is_scheduled(settings) -> None:
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "notifications.tasks.send_due_emails" in tasks


def test_quiet_hours_hold_e_mail_until_they_end(
    ticket, ivan, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    Preferences.objects.create(
        user=ivan, quiet_from=datetime.time(22), quiet_to=datetime.time(8)
    )
    late = datetime.datetime(2026, 11, 3, 23, 30, tzinfo=MSK)
    morning = datetime.datetime(2026, 11, 4, 8, 0, tzinfo=MSK)

    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(late, tick=False):
            notification = _notify(ivan, ticket, "Ночью")
            assert notification.read_at is None  # in the list at once
        assert send_due_emails(morning - datetime.timedelta(minutes=1)) == 0
        assert send_due_emails(morning) == 1

    assert _sent(mailoutbox) == [f"[{ticket.reference}] Ночью: {ticket.subject}"]


def test_a_digest_due_in_quiet_hours_waits_for_the_morning(
    ticket, ivan, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    Preferences.objects.create(
        user=ivan, quiet_from=datetime.time(22), quiet_to=datetime.time(8)
    )
    evening = datetime.datetime(2026, 11, 3, 21, 58, tzinfo=MSK)
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(evening, tick=False):
            _notify(ivan, ticket, "Первое")
            _notify(ivan, ticket, "Второе")
            _notify(ivan, ticket, "Третье")
        assert send_due_emails(evening + DIGEST_WINDOW) == 0
        assert Notification.objects.filter(emailed_at=None).count() == 2
        assert send_due_emails(datetime.datetime(2026, 11, 4, 8, tzinfo=MSK)) == 1

    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("quiet_from", "quiet_to", "at", "until"),
    [
        (22, 8, (23, 30), (1, 8)),
        (22, 8, (7, 59), (0, 8)),
        (22, 8, (8, 0), None),
        (22, 8, (21, 59), None),
        (13, 14, (13, 30), (0, 14)),
        (13, 14, (14, 0), None),
        (9, 9, (9, 0), None),
    ],
)
def test_quiet_until(quiet_from, quiet_to, at, until) -> None:
    preferences = Preferences(
        quiet_from=datetime.time(quiet_from), quiet_to=datetime.time(quiet_to)
    )
    moment = datetime.datetime(2026, 11, 3, *at, tzinfo=MSK)
    # The same instant in UTC: the hours are Moscow's whatever the zone given.
    found = preferences.quiet_until(moment.astimezone(datetime.UTC))

    if until is None:
        assert found is None
    else:
        days, hour = until
        expected = datetime.datetime(2026, 11, 3 + days, hour, tzinfo=MSK)
        assert found == expected


def test_no_e_mail_for_a_kind_turned_off_and_no_row_for_neither(
    ticket, ivan, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    Preferences.objects.create(user=ivan, muted_email=["rule"])
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(ivan, ticket, "Только в списке")
    assert notification.email_due_at is None
    assert mailoutbox == []

    Preferences.objects.filter(user=ivan).update(muted_in_app=["rule"])
    ivan.refresh_from_db()
    assert _notify(ivan, ticket, "Никак") is None
