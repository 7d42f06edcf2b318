"""Erasure from the admin: a confirmation page with the address typed,
administrators only; the account closes at once, the data goes in a task,
and the person's page says where the erasure stands."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.translation import gettext

from accounts.models import AccountEvent, User
from audit.models import AuditEntry
from privacy import services
from privacy.models import Erasure
from privacy.services import erased_email
from tests.auth import sign_in
from tests.privacy.conftest import EMAIL

pytestmark = pytest.mark.django_db


def _input(html: str, name: str) -> str:
    at = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, at) : html.index(">", at) + 1]


def _url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/erase/"


def test_the_user_page_offers_export_and_erasure_to_an_administrator(
    client, admin_user, colleague
) -> None:
    sign_in(client, admin_user)

    html = client.get(f"/admin/accounts/user/{colleague.pk}/change/").text

    assert 'id="export-personal-data"' in html
    assert 'id="erase-personal-data"' in html


def test_a_wrong_address_erases_nothing_and_keeps_the_choice(
    client, admin_user, world
) -> None:
    sign_in(client, admin_user)

    response = client.post(
        _url(world.person),
        {"confirmation": "someone@alfa.example", "remove_attachments": "on"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["confirmation"]
    assert 'value="someone@alfa.example"' in response.text
    assert "checked" in _input(response.text, "remove_attachments")
    assert User.objects.get(pk=world.person.pk).email == EMAIL


def _status(client, user: User) -> str:
    """The erasure's status as the person's admin page shows it, or ""."""
    html = client.get(f"/admin/accounts/user/{user.pk}/change/").text
    found = re.search(r'id="erasure-status" data-status="(\w+)"', html)
    return found.group(1) if found else ""


def test_the_typed_address_closes_the_account_and_queues_the_erasure(
    client, admin_user, world, django_capture_on_commit_callbacks
) -> None:
    """The page answers before the erasure, which the task carries out."""
    person_client = Client()
    person_client.force_login(world.person)
    assert person_client.get("/tickets/").status_code == 200
    sign_in(client, admin_user)
    assert client.get(_url(world.person)).status_code == 200
    assert _status(client, world.person) == ""

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(_url(world.person), {"confirmation": EMAIL.upper()})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{world.person.pk}/change/"
    person = User.objects.get(pk=world.person.pk)
    # Closed at once: no sign-in, the open session ends...
    assert not person.is_active
    assert not person.has_usable_password()
    assert person_client.get("/tickets/").status_code == 302
    assert person.account_events.get(kind=AccountEvent.Kind.DEACTIVATED).by == (
        admin_user
    )
    # ...while the data waits for the task.
    assert person.email == EMAIL
    assert not person.account_events.filter(kind=AccountEvent.Kind.ERASED).exists()
    assert Erasure.objects.get().status == Erasure.Status.PENDING
    assert _status(client, person) == "pending"
    assert len(queued) == 1

    queued[0]()

    person.refresh_from_db()
    assert person.email == erased_email(person)
    assert person.account_events.get(kind=AccountEvent.Kind.ERASED).by == admin_user
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ANONYMISED)
    assert (entry.actor, entry.target_id) == (admin_user, str(person.pk))
    assert Erasure.objects.get().status == Erasure.Status.DONE
    assert _status(client, person) == "done"


@pytest.mark.django_db(transaction=True)
def test_with_eager_tasks_the_erasure_is_done_when_the_page_answers(
    client, admin_user, world
) -> None:
    """As under `make run` (eager tasks, commits for real): one step, and
    the message says it is done."""
    sign_in(client, admin_user)

    response = client.post(
        _url(world.person),
        {"confirmation": EMAIL, "remove_attachments": "on"},
        follow=True,
    )

    person = User.objects.get(pk=world.person.pk)
    assert person.email == erased_email(person)
    erasure = Erasure.objects.get()
    assert (erasure.status, erasure.remove_attachments) == (Erasure.Status.DONE, True)
    assert [str(m) for m in response.context["messages"]] == [
        gettext("The person's data has been erased; their tickets stay.")
    ]
    assert 'data-status="done"' in response.text


def test_a_failed_erasure_says_so_and_can_be_asked_again(
    client, admin_user, world, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services._Person, "sweep", broken)
    sign_in(client, admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world.person), {"confirmation": EMAIL})

    assert response.status_code == 302
    person = User.objects.get(pk=world.person.pk)
    assert (person.email, person.is_active) == (EMAIL, False)
    assert _status(client, person) == "failed"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(person), {"confirmation": EMAIL})

    person.refresh_from_db()
    assert person.email == erased_email(person)
    assert _status(client, person) == "done"
    assert list(Erasure.objects.values_list("status", flat=True)) == [
        Erasure.Status.DONE,
        Erasure.Status.FAILED,
    ]


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_administrators_erase(client, role, request, colleague) -> None:
    sign_in(client, request.getfixturevalue(role))

    get = client.get(_url(colleague))
    post = client.post(_url(colleague), {"confirmation": colleague.email})

    assert get.status_code == post.status_code == 403
    assert User.objects.get(pk=colleague.pk).email == colleague.email


def test_a_staff_account_is_refused_with_a_reason(client, admin_user, agent) -> None:
    sign_in(client, admin_user)

    response = client.post(_url(agent), {"confirmation": agent.email})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    agent.refresh_from_db()
    assert (agent.email, agent.is_active) == (agent.email, True)
    assert not Erasure.objects.exists()


def test_the_action_leads_to_the_confirmation_of_one_person(
    client, admin_user, colleague, customer
) -> None:
    sign_in(client, admin_user)

    one = client.post(
        "/admin/accounts/user/",
        {"action": "erase_personal_data", "_selected_action": [colleague.pk]},
    )
    two = client.post(
        "/admin/accounts/user/",
        {
            "action": "erase_personal_data",
            "_selected_action": [colleague.pk, customer.pk],
        },
    )

    assert one.status_code == 302
    assert one["Location"] == _url(colleague)
    assert two.status_code == 302
    assert two["Location"] == "/admin/accounts/user/"
