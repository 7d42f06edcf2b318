from __future__ import annotations

import datetime
import time

import pytest
import time_machine
from django.core import mail
from django.utils.timezone import localdate

from accounts.models import Membership, SubscriptionReminder
from accounts.services import send_subscription_reminders
from accounts.tasks import send_subscription_reminders as reminders_task
from outbox.email import send_outgoing_email, send_unsent
from outbox.models import OutgoingEmail
from tests.factories import LicenceFactory, MembershipFactory

TODAY = datetime.date(2026, 11, 25)


def _licence_ending_in(organisation, days: int, today: datetime.date = TODAY):
    # The included year ends on purchase + 1 year - 1 day.
    ends_on = today + datetime.timedelta(days=days)
    purchased_on = ends_on.replace(year=ends_on.year - 1) + datetime.timedelta(days=1)
    return LicenceFactory(organisation=organisation, purchased_on=purchased_on)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (30, SubscriptionReminder.Kind.DAYS_30),
        (7, SubscriptionReminder.Kind.DAYS_7),
        (0, SubscriptionReminder.Kind.DAYS_7),
        (-1, SubscriptionReminder.Kind.ENDED),
    ],
)
def test_managers_are_reminded_before_and_after_the_end(
    days_left,
    kind,
    organisation,
    customer,
    colleague,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    licence = _licence_ending_in(organisation, days_left)

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_subscription_reminders(TODAY)

    assert sent == 1
    assert SubscriptionReminder.objects.get().kind == kind
    assert [m.to for m in mailoutbox] == [[customer.email]]  # managers only
    assert licence.number in mailoutbox[0].subject


@pytest.mark.django_db
@pytest.mark.parametrize("days_left", [31, -30])
def test_no_reminder_outside_the_windows(days_left, organisation, customer) -> None:
    _licence_ending_in(organisation, days_left)

    assert send_subscription_reminders(TODAY) == 0


@pytest.mark.django_db
def test_running_twice_sends_each_reminder_once(
    organisation, customer, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    _licence_ending_in(organisation, 20)

    with django_capture_on_commit_callbacks(execute=True):
        send_subscription_reminders(TODAY)
        send_subscription_reminders(TODAY)
        send_subscription_reminders(TODAY + datetime.timedelta(days=1))

    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_renewal_starts_a_new_cycle_of_reminders(
    organisation, customer, django_capture_on_commit_callbacks
) -> None:
    from accounts.services import renew_subscription

    licence = _licence_ending_in(organisation, 5)
    send_subscription_reminders(TODAY)
    renew_subscription(licence, years=1, on=TODAY)

    later = licence.support_ends_on - datetime.timedelta(days=6)
    assert send_subscription_reminders(later) == 1
    assert SubscriptionReminder.objects.count() == 2


def _wait_for(count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_once_even_when_the_task_is_retried(
    redis_celery_worker, organisation, mailoutbox
) -> None:
    manager = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MANAGER,
        user__email="boss@alfa.example",
    ).user
    _licence_ending_in(organisation, 7, today=localdate())

    reminders_task.delay()
    _wait_for(1)
    # A retry, or beat firing twice, runs the same task again.
    reminders_task.apply_async(retries=1)
    reminders_task.delay()
    time.sleep(1.5)

    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert SubscriptionReminder.objects.count() == 1


@pytest.mark.django_db
def test_a_reminder_is_queued_in_the_outbox_with_its_mark(
    organisation, customer, mailoutbox
) -> None:
    """Marked sent means queued in the outbox in the same transaction; the
    outbox sends it, exactly once."""
    _licence_ending_in(organisation, 20)

    assert send_subscription_reminders(TODAY) == 1

    assert SubscriptionReminder.objects.get().sent_at is not None
    row = OutgoingEmail.objects.get()
    assert row.to == [customer.email]
    assert row.sent_at is None
    assert mailoutbox == []  # the task runs after commit


@pytest.mark.django_db
def test_a_reminder_the_relay_refused_is_sent_by_the_outbox_sweeper(
    organisation, customer, mailoutbox, settings
) -> None:
    from tests.mail_backends import RelayDownOnceBackend

    settings.EMAIL_BACKEND = "tests.mail_backends.RelayDownOnceBackend"
    RelayDownOnceBackend.failures_left = 1
    _licence_ending_in(organisation, 20)
    assert send_subscription_reminders(TODAY) == 1
    row = OutgoingEmail.objects.get()

    with pytest.raises(OSError, match="relay went away"):
        send_outgoing_email(row.pk)
    assert OutgoingEmail.objects.get().sent_at is None
    # The next reminder run does not queue it again: it is the outbox's now.
    assert send_subscription_reminders(TODAY) == 0

    with time_machine.travel(row.created_at + datetime.timedelta(minutes=2)):
        assert send_unsent() == 1
        assert send_unsent() == 0
    assert [m.to for m in mailoutbox] == [[customer.email]]
