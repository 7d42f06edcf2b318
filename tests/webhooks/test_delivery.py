"""Sending: signed, once, in order per ticket; retried on the Standard
Webhooks schedule, then given up with the endpoint disabled and its owner
told; a dead worker's claim taken over; redelivered from the admin."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.utils.timezone import now

from tests.auth import sign_in
from tests.webhooks.conftest import endpoint_for, verify
from tickets.models import Ticket
from tickets.services import add_message, change_ticket_status
from webhooks.delivery import ATTEMPTS, BACKOFF, STALE_CLAIM, deliver, send_due
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_private")]


@pytest.fixture
def endpoint(organisation_integration, receiver) -> Endpoint:
    return endpoint_for(organisation_integration, receiver.url)


def test_an_event_is_posted_after_commit_signed_and_logged(
    endpoint, receiver, ticket, agent, django_capture_on_commit_callbacks
) -> None:
    assert send_due() == 1  # ticket.created (the fixture's, its task not run)
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=agent, body="Ответ")

    (request,) = [r for r in receiver.requests if b"message_added" in r["body"]]
    headers = request["headers"]
    assert verify(endpoint.secret, headers, request["body"])
    assert headers["content-type"] == "application/json"
    assert request["path"] == "/hooks"
    payload = json.loads(request["body"])
    assert payload["type"] == "ticket.message_added"
    assert abs(int(headers["webhook-timestamp"]) - now().timestamp()) < 60
    delivery = Delivery.objects.get(message_id=headers["webhook-id"])
    assert delivery.sent_at is not None
    assert delivery.attempts == 1
    assert delivery.response_status == 200
    assert delivery.response_body == "ok"
    assert delivery.duration_ms is not None
    assert delivery.request_headers["webhook-id"] == delivery.message_id
    # Nothing more to send: the sweeper finds nothing due.
    assert send_due() == 0
    # ticket.created, the message, new → open (sent in turn by the one task).
    assert len(receiver.requests) == 3


def test_failures_follow_the_schedule_then_the_endpoint_is_disabled_and_its_owner_told(
    endpoint,
    receiver,
    ticket,
    agent,
    customer,
    django_capture_on_commit_callbacks,
) -> None:
    assert send_due() == 1  # ticket.created (the fixture's)
    receiver.answer = lambda _id: 503
    customer.language = "en"
    customer.save(update_fields=["language"])
    start = now()
    with time_machine.travel(start, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            add_message(ticket, author=agent, body="Ответ")
        delivery = Delivery.objects.get(event_type="ticket.message_added")
        # new → open waits behind it all along.
        for waited in BACKOFF:
            delivery.refresh_from_db()
            assert delivery.next_attempt_at == delivery.last_attempt_at + waited
            assert delivery.response_status == 503
            # Not a moment early.
            traveller.move_to(delivery.next_attempt_at - datetime.timedelta(seconds=1))
            attempts = delivery.attempts
            send_due()
            delivery.refresh_from_db()
            assert delivery.attempts == attempts
            traveller.move_to(delivery.next_attempt_at)
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                send_due()
        elapsed = now() - start

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.attempts == ATTEMPTS == 8
    assert delivery.given_up_at is not None
    assert delivery.sent_at is None
    assert datetime.timedelta(hours=27) < elapsed < datetime.timedelta(hours=28)
    assert not endpoint.is_active
    assert endpoint.disabled_at is not None
    assert "503" in endpoint.disabled_reason
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert "stopped" in message.subject  # in the owner's language, English
    assert receiver.url in message.body
    # A disabled endpoint gets nothing more, however much happens.
    count = len(receiver.requests)
    with django_capture_on_commit_callbacks(execute=True):
        change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)
        send_due()
    assert len(receiver.requests) == count


def test_a_ticket_s_deliveries_wait_for_the_one_before(
    endpoint, receiver, ticket, agent, django_capture_on_commit_callbacks
) -> None:
    first = Delivery.objects.get(event_type="ticket.created")  # not sent: no commit
    receiver.answer = lambda message_id: 503 if message_id == first.message_id else 200
    with django_capture_on_commit_callbacks(execute=True):
        add_message(ticket, author=agent, body="Ответ")
    later = list(Delivery.objects.filter(pk__gt=first.pk).order_by("pk"))
    assert len(later) == 2  # the message and new → open

    # Their own tasks ran: nothing was sent while the first one is pending.
    assert receiver.requests == []
    send_due()
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [first.message_id]

    receiver.answer = lambda _id: 200
    with time_machine.travel(now() + BACKOFF[0]):
        assert send_due() == 3
    seen = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert seen == [first.message_id] + [d.message_id for d in [first, *later]]


def test_another_ticket_goes_while_one_waits_for_its_retry(
    endpoint, receiver, ticket, customer, active_licence
) -> None:
    from tickets.services import open_ticket

    stuck = Delivery.objects.get(event_type="ticket.created")
    receiver.answer = lambda message_id: 503 if message_id == stuck.message_id else 200
    other = open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Другая",
        description="Текст",
        category=Ticket.Category.OTHER,
    )

    send_due()  # the first fails: the endpoint is left for the next run
    send_due()

    assert Delivery.objects.get(ordering_key=other.reference).sent_at is not None
    assert Delivery.objects.get(pk=stuck.pk).sent_at is None


def test_a_redirect_is_not_followed(endpoint, receiver, ticket) -> None:
    receiver.answer = lambda _id: 302
    delivery = Delivery.objects.get()

    assert deliver(delivery.pk) is False

    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.response_status == 302
    assert delivery.sent_at is None


def test_a_dead_worker_s_claim_is_taken_over_once_stale(
    endpoint, receiver, ticket
) -> None:
    delivery = Delivery.objects.get()
    assert Delivery.objects.claim(delivery.pk)  # the worker that died

    assert send_due() == 0  # still its claim
    with time_machine.travel(now() + STALE_CLAIM + datetime.timedelta(seconds=1)):
        assert send_due() == 1

    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert len(receiver.requests) == 1


def test_the_admin_redelivers_with_the_same_webhook_id(
    client, admin_user, endpoint, receiver, ticket, django_capture_on_commit_callbacks
) -> None:
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    delivery = Delivery.objects.get()
    assert deliver(delivery.pk) is True
    sign_in(client, admin_user)

    assert client.get("/admin/webhooks/delivery/").status_code == 200
    assert (
        client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").status_code == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/webhooks/delivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )

    assert response.status_code == 302
    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert ids == [delivery.message_id, delivery.message_id]
    delivery.refresh_from_db()
    assert delivery.sent_at is not None


def test_the_admin_rotates_a_secret_and_enables_an_endpoint(
    client, admin_user, endpoint
) -> None:
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=now())
    sign_in(client, admin_user)
    old = endpoint.secret

    for action in ("rotate", "enable"):
        response = client.post(
            "/admin/webhooks/endpoint/",
            {"action": action, "_selected_action": [endpoint.pk]},
        )
        assert response.status_code == 302

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.signing_secrets() == [endpoint.secret, old]
    assert endpoint.is_active
    assert (
        client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").status_code == 200
    )
