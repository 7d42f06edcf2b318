from __future__ import annotations

import re

import pytest

from tests.factories import MembershipFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_contact_copies_a_colleague_when_filing(
    client, customer, colleague, active_licence
) -> None:
    client.force_login(customer)

    client.post(
        "/tickets/new/",
        {
            "licence": active_licence.pk,
            "subject": "Тема",
            "description": "Текст",
            "category": "other",
            "priority": "low",
            "contact_email": customer.email,
            "cc": [colleague.pk],
        },
    )

    ticket = Ticket.objects.get()
    assert list(ticket.cc.all()) == [colleague]
    client.force_login(colleague)
    assert client.get(f"/tickets/{ticket.reference}/").status_code == 200


def test_copies_are_changed_on_the_ticket_page(
    client, customer, colleague, ticket
) -> None:
    client.force_login(customer)

    client.post(f"/tickets/{ticket.reference}/copied/", {"cc": [colleague.pk]})
    assert list(ticket.cc.all()) == [colleague]
    client.post(f"/tickets/{ticket.reference}/copied/", {})
    assert not ticket.cc.exists()


def test_another_organisations_contact_cannot_be_copied(
    client, customer, outsider, ticket
) -> None:
    client.force_login(customer)

    client.post(f"/tickets/{ticket.reference}/copied/", {"cc": [outsider.pk]})

    assert not ticket.cc.exists()


def test_the_page_ticks_the_colleagues_copied_and_only_them(
    client, customer, colleague, organisation, ticket
) -> None:
    other = MembershipFactory(
        organisation=organisation, user__email="other@alfa.example"
    ).user
    ticket.cc.add(colleague)
    client.force_login(customer)

    page = client.get(f"/tickets/{ticket.reference}/").content.decode()
    boxes = dict(
        re.findall(r'<input type="checkbox" name="cc" value="(\d+)"([^>]*)>', page)
    )

    assert set(boxes) == {str(colleague.pk), str(other.pk)}
    assert "checked" in boxes[str(colleague.pk)]
    assert "checked" not in boxes[str(other.pk)]
