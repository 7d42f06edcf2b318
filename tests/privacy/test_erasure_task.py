"""Erasure in two steps: `request_erasure` closes the account at once, the
task (`privacy.tasks.erase_person`) erases once however often it runs, and
the periodic catch-up takes up an erasure whose task was lost."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import AccountEvent, User
from audit.models import AuditEntry
from privacy.models import Erasure
from privacy.services import (
    PrivacyError,
    anonymise_person,
    carry_out_erasure,
    erased_email,
    request_erasure,
)
from privacy.tasks import erase_pending, erase_person
from tests.auth import sign_in
from tests.privacy.conftest import EMAIL
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _erased_events(user: User) -> int:
    return user.account_events.filter(kind=AccountEvent.Kind.ERASED).count()


def test_the_request_closes_the_account_and_leaves_the_data_to_the_task(
    world, admin_user
) -> None:
    erasure = request_erasure(world.person, by=admin_user, remove_attachments=True)

    person = User.objects.get(pk=world.person.pk)
    assert (person.is_active, person.has_usable_password()) == (False, False)
    assert person.email == EMAIL
    assert (erasure.status, erasure.requested_by, erasure.remove_attachments) == (
        Erasure.Status.PENDING,
        admin_user,
        True,
    )
    assert _erased_events(person) == 0


def test_staff_and_oneself_are_refused_before_anything_changes(
    world, admin_user, agent
) -> None:
    with pytest.raises(PrivacyError):
        request_erasure(agent, by=admin_user)
    with pytest.raises(PrivacyError):
        request_erasure(world.person, by=world.person)

    assert User.objects.get(pk=agent.pk).is_active
    assert User.objects.get(pk=world.person.pk).is_active
    assert not Erasure.objects.exists()


def test_the_task_run_twice_erases_once(world, admin_user) -> None:
    erasure = request_erasure(world.person, by=admin_user, remove_attachments=True)

    first = erase_person(erasure.pk)
    rows = {
        model: list(model._base_manager.order_by("pk").values())
        for model in (User, Ticket, Message)
    }
    second = erase_person(erasure.pk)

    assert (first, second) == (Erasure.Status.DONE, "")
    person = User.objects.get(pk=world.person.pk)
    assert person.email == erased_email(person)
    assert {
        model: list(model._base_manager.order_by("pk").values()) for model in rows
    } == rows
    assert _erased_events(person) == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ANONYMISED).count() == 1


def test_a_person_erased_already_is_erased_again_harmlessly(world, admin_user) -> None:
    anonymise_person(world.person, by=admin_user)
    person = User.objects.get(pk=world.person.pk)

    erasure = request_erasure(person, by=admin_user)
    erase_person(erasure.pk)

    erasure.refresh_from_db()
    assert erasure.status == Erasure.Status.DONE
    person.refresh_from_db()
    assert person.email == erased_email(person)
    assert _erased_events(person) == 1


def test_a_lost_task_is_caught_up_once(world, admin_user, settings) -> None:
    beat = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "privacy.tasks.erase_pending" in beat
    # Queued by the admin after commit; here nobody queues it: lost.
    erasure = request_erasure(world.person, by=admin_user)

    assert erase_pending() == 1
    assert erase_pending() == 0
    erasure.refresh_from_db()
    assert erasure.status == Erasure.Status.DONE
    person = User.objects.get(pk=world.person.pk)
    assert person.email == erased_email(person)


@pytest.mark.django_db(transaction=True)
def test_an_erasure_another_worker_holds_is_left_to_it(world, admin_user) -> None:
    erasure = request_erasure(world.person, by=admin_user)
    results = []

    def second_worker() -> None:
        try:
            results.append(carry_out_erasure(erasure.pk))
        finally:
            connection.close()

    with transaction.atomic():
        # What a first worker holds while it erases.
        Erasure.objects.select_for_update().get(pk=erasure.pk)
        thread = threading.Thread(target=second_worker)
        thread.start()
        thread.join(timeout=30)

    assert results == [None]
    erasure.refresh_from_db()
    assert erasure.status == Erasure.Status.PENDING
    assert User.objects.get(pk=world.person.pk).email == EMAIL


def _wait_for_status(erasure_id: int, status: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    found = ""
    while time.monotonic() < deadline:
        found = Erasure.objects.get(pk=erasure_id).status
        if found == status:
            break
        time.sleep(0.1)
    return found


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_erases_what_the_admin_asked_for(
    redis_celery_worker, client, admin_user, world
) -> None:
    sign_in(client, admin_user)

    response = client.post(
        f"/admin/accounts/user/{world.person.pk}/erase/", {"confirmation": EMAIL}
    )

    assert response.status_code == 302
    erasure = Erasure.objects.get()
    assert _wait_for_status(erasure.pk, Erasure.Status.DONE) == Erasure.Status.DONE
    person = User.objects.get(pk=world.person.pk)
    assert person.email == erased_email(person)
    assert _erased_events(person) == 1
