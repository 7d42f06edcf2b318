"""Nothing is lost when Redis is down: a real Redis server, stopped and started by the test.

The test runs a Redis server of its own on a free port (tests/private_services.py),
so stopping it touches nothing else on the machine. The other fault tests are
beside this file (test_fault_*.py).
"""

from __future__ import annotations

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils.timezone import now

from helpdesk.celery import app as celery_app
from outbox.email import send_unsent_email
from outbox.models import OutgoingEmail
from tests.brokers import celery_broker
from tests.private_services import wait_for
from tickets.models import Ticket

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_filing_while_redis_is_down_succeeds_and_mails_once_when_it_is_back(
    client, customer, active_licence, private_redis, mailoutbox
) -> None:
    client.force_login(customer)
    with celery_broker(private_redis.url):  # the broker is configured but not running
        response = client.post(
            "/tickets/new/",
            {
                "licence": active_licence.pk,
                "subject": "Во время сбоя Redis",
                "description": "Текст",
                "category": "other",
                "priority": "normal",
                "contact_email": customer.email,
            },
        )

        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response["Location"] == ticket.get_absolute_url()
        assert mailoutbox == []
        unsent = OutgoingEmail.objects.get(ticket_id=ticket.pk, sent_at=None)

        private_redis.start()
        # Time passes: the sweeper leaves brand-new rows to their own task.
        OutgoingEmail.objects.filter(pk=unsent.pk).update(
            created_at=now() - datetime.timedelta(minutes=5)
        )
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
        ):
            send_unsent_email.delay()
            wait_for(lambda: len(mail.outbox) >= 1)
            send_unsent_email.delay()  # the next beat run finds nothing to send
            time.sleep(1)

    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert ticket.reference in mailoutbox[0].subject
    unsent.refresh_from_db()
    assert unsent.sent_at is not None
