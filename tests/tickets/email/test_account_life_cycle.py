"""Mail from and to contacts who may no longer act (`User.may_act`)."""

from __future__ import annotations

import pytest

from accounts.models import Membership
from accounts.services import remove_contact
from outbox.models import OutgoingEmail
from tests.auth import sign_in
from tests.tickets.email.conftest import REFERENCE
from tests.tickets.email.test_pipeline import mail
from tickets.email.incoming import assign, ingest
from tickets.models import InboundEmail
from tickets.services import TicketError, add_message

pytestmark = pytest.mark.django_db


def test_a_removed_colleagues_reply_is_held_with_the_reason(
    mail_world, customer, colleague
) -> None:
    mail_world.cc.add(colleague)
    remove_contact(colleague.membership, by=customer)

    inbound = ingest(
        mail(sender=colleague.email, subject=f"Re: [{REFERENCE}] x"), source="imap"
    )

    assert (inbound.status, inbound.reason_code) == ("held", "no_access")
    assert inbound.ticket == mail_world
    assert inbound.ticket_message is None
    assert colleague.email in inbound.reason
    assert mail_world.messages.count() == 1


def test_a_removed_contacts_reply_to_their_own_ticket_is_held(
    mail_world, customer, colleague
) -> None:
    Membership.objects.filter(user=colleague).update(role=Membership.Role.MANAGER)
    remove_contact(customer.membership, by=colleague)

    inbound = ingest(
        mail(sender=customer.email, subject=f"Re: [{REFERENCE}] x"), source="imap"
    )

    assert (inbound.status, inbound.reason_code) == ("held", "no_access")
    assert mail_world.messages.count() == 1


def test_a_contact_now_of_another_organisation_is_held(
    mail_world, customer, other_organisation
) -> None:
    Membership.objects.filter(user=customer).update(organisation=other_organisation)

    inbound = ingest(
        mail(sender=customer.email, subject=f"Re: [{REFERENCE}] x"), source="imap"
    )

    assert (inbound.status, inbound.reason_code) == ("held", "no_access")
    assert "другой организации" in inbound.reason
    assert mail_world.messages.count() == 1


def test_new_mail_from_a_deactivated_account_is_held_unanswered(
    mail_world, customer, colleague, django_capture_on_commit_callbacks
) -> None:
    remove_contact(colleague.membership, by=customer)

    with django_capture_on_commit_callbacks(execute=True):
        inbound = ingest(mail(sender=colleague.email, subject="Новая"), source="imap")

    assert (inbound.status, inbound.reason_code) == ("held", "no_access")
    assert not OutgoingEmail.objects.filter(to=[colleague.email]).exists()


def test_staff_see_why_the_mail_was_held(
    client, agent, mail_world, customer, colleague
):
    mail_world.cc.add(colleague)
    remove_contact(colleague.membership, by=customer)
    inbound = ingest(
        mail(sender=colleague.email, subject=f"Re: [{REFERENCE}] x"), source="imap"
    )
    sign_in(client, agent)

    page = client.get(f"/staff/mail/{inbound.code}/").content.decode()

    assert REFERENCE in page
    assert colleague.email in page


def test_staff_replies_are_not_mailed_to_a_removed_colleague(
    mail_world,
    agent,
    customer,
    colleague,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    mail_world.cc.add(colleague)
    remove_contact(colleague.membership, by=customer)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        add_message(mail_world, author=agent, body="Ответ")

    assert [m.to for m in mailoutbox] == [[customer.email]]


def test_staff_replies_are_not_mailed_to_a_removed_contact(
    mail_world,
    agent,
    customer,
    colleague,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    mail_world.cc.add(colleague)
    Membership.objects.filter(user=colleague).update(role=Membership.Role.MANAGER)
    remove_contact(customer.membership, by=colleague)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        add_message(mail_world, author=agent, body="Ответ")

    assert [m.to for m in mailoutbox] == [[colleague.email]]


@pytest.mark.parametrize("into", ["ticket", "licence"])
def test_staff_cannot_file_held_mail_as_a_removed_contact(
    agent, mail_world, customer, colleague, active_licence, into
) -> None:
    inbound = ingest(mail(sender="ivan@unknown.example"), source="imap")
    remove_contact(colleague.membership, by=customer)
    target = {"ticket": mail_world} if into == "ticket" else {"licence": active_licence}

    with pytest.raises(TicketError):
        assign(inbound, by=agent, contact=colleague, **target)

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.HELD
    assert mail_world.messages.count() == 1
