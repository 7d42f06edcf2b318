"""The staff page of unprocessed mail: list, download, retry, assign."""

from __future__ import annotations

import pytest

from tests.auth import sign_in
from tests.tickets.email.conftest import REFERENCE, corpus
from tickets.email.incoming import ingest
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(mail_world) -> InboundEmail:
    return ingest(corpus("own__unknown-sender.eml"), source="imap")


def test_staff_see_held_mail_with_the_reason(client, agent, held) -> None:
    ignored = ingest(corpus("own__precedence-bulk.eml"), source="imap")
    sign_in(client, agent)

    page = client.get("/staff/mail/").content.decode()

    assert "ivan@unknown.example" in page
    assert held.reason in page
    assert ignored.subject not in page
    assert "Newsletter" in client.get("/staff/mail/?show=all").content.decode()
    assert client.get(f"/staff/mail/{held.code}/").status_code == 200


def test_staff_download_the_original(client, agent, held) -> None:
    sign_in(client, agent)

    response = client.get(f"/staff/mail/{held.code}/raw/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == corpus("own__unknown-sender.eml")
    assert response["Content-Type"] == "application/octet-stream"


def test_retry_after_the_sender_became_a_contact(
    client, agent, held, organisation
) -> None:
    from accounts.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MEMBER,
        user__email="ivan@unknown.example",
    )
    sign_in(client, agent)

    response = client.post(f"/staff/mail/{held.code}/retry/")

    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.reason_code) == ("processed", "new_ticket")
    assert client.post(f"/staff/mail/{held.code}/retry/").status_code == 302
    assert Ticket.objects.filter(channel="email").count() == 1


def test_assign_to_a_contact_and_licence(
    client, agent, held, customer, active_licence
) -> None:
    sign_in(client, agent)

    response = client.post(
        f"/staff/mail/{held.code}/assign/",
        {"contact": customer.pk, "licence": active_licence.pk},
    )

    held.refresh_from_db()
    assert held.status == "processed"
    assert response.url == held.ticket.get_absolute_url()
    assert held.ticket.contact == customer
    assert "how do we get support" in held.ticket.messages.get().body


def test_assign_into_an_existing_ticket(client, agent, held, customer) -> None:
    sign_in(client, agent)

    client.post(
        f"/staff/mail/{held.code}/assign/",
        {"contact": customer.pk, "reference": REFERENCE},
    )

    held.refresh_from_db()
    assert held.ticket.reference == REFERENCE
    assert held.ticket.messages.count() == 2


def test_assign_needs_exactly_one_target(client, agent, held, customer) -> None:
    sign_in(client, agent)

    client.post(f"/staff/mail/{held.code}/assign/", {"contact": customer.pk})

    held.refresh_from_db()
    assert held.status == "held"


def test_a_lapsed_licence_is_filed_with_a_recorded_reason(
    client, agent, held, customer, lapsed_licence
) -> None:
    sign_in(client, agent)
    url = f"/staff/mail/{held.code}/assign/"

    refused = client.post(
        url,
        {"contact": customer.pk, "licence": lapsed_licence.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = refused.content.decode()

    # The page again: the refusal at the reason field, the choices kept.
    assert refused.status_code == 200
    assert 'href="#id_override_reason"' in html
    assert "ended on" in html
    assert f'<option value="{customer.pk}" selected>' in html
    held.refresh_from_db()
    assert held.status == "held"

    filed = client.post(
        url,
        {
            "contact": customer.pk,
            "licence": lapsed_licence.pk,
            "override_reason": "Renewal paid, the invoice is on its way",
        },
    )

    held.refresh_from_db()
    assert filed.status_code == 302
    assert held.status == "processed"
    assert held.ticket.licence_override_by == agent
    assert held.ticket.licence_override_reason == (
        "Renewal paid, the invoice is on its way"
    )


def test_retry_and_assign_only_by_post(client, agent, held) -> None:
    sign_in(client, agent)
    assert client.get(f"/staff/mail/{held.code}/retry/").status_code == 405
    assert client.get(f"/staff/mail/{held.code}/assign/").status_code == 405


@pytest.mark.parametrize("suffix", ["", "{code}/", "{code}/raw/"])
def test_customers_get_403_and_visitors_are_sent_to_sign_in(
    client, customer, held, suffix
) -> None:
    url = "/staff/mail/" + suffix.format(code=held.code)
    assert client.get(url).status_code == 302
    client.force_login(customer)
    assert client.get(url).status_code == 403
    assert client.post(f"/staff/mail/{held.code}/retry/").status_code == 403


def test_mail_stuck_unprocessed_is_shown_and_can_be_retried(
    client, agent, mail_world, customer
) -> None:
    from datetime import timedelta

    from django.utils.timezone import now

    from tickets.email.incoming import store_raw

    raw = (
        b"From: customer@alfa.example\r\nTo: support@helpdesk.localhost\r\n"
        b"Subject: stuck\r\nMessage-ID: <stuck@alfa.example>\r\n\r\nbody\r\n"
    )
    fresh, _new = store_raw(raw, source="pipe")
    sign_in(client, agent)
    # Just stored: the pipeline is still on it.
    assert "stuck" not in client.get("/staff/mail/").content.decode()

    InboundEmail.objects.filter(pk=fresh.pk).update(
        created_at=now() - timedelta(minutes=20)
    )
    assert "stuck" in client.get("/staff/mail/").content.decode()
    client.post(f"/staff/mail/{fresh.code}/retry/")

    fresh.refresh_from_db()
    assert fresh.status == InboundEmail.Status.PROCESSED
    assert fresh.ticket.subject == "stuck"
