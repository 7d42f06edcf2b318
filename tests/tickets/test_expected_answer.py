"""The customer's ticket page says when to expect the first answer."""

from __future__ import annotations

import pytest
import time_machine

from tests.schedule.support import msk
from tickets.models import SlaTarget, Ticket
from tickets.services import add_message, open_ticket

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]


@pytest.fixture
def filed_on_friday_evening(customer, organisation):
    import datetime

    from tests.factories import LicenceFactory

    SlaTarget.objects.filter(priority=Ticket.Priority.NORMAL).update(
        first_response_hours=4
    )
    licence = LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )
    with time_machine.travel(msk(2026, 3, 6, 18), tick=False):
        return open_ticket(
            contact=customer,
            licence=licence,
            subject="Вопрос",
            description="Текст",
            category=Ticket.Category.OTHER,
        )


def test_the_first_answer_is_expected_in_support_hours(
    client, customer, filed_on_friday_evening
) -> None:
    client.force_login(customer)

    with time_machine.travel(msk(2026, 3, 6, 18, 30), tick=False):
        html = client.get(
            filed_on_friday_evening.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
        ).text

    # One hour on Friday, three on Saturday from 09:00.
    assert "Expect support's first answer by 07.03.2026 12:00 Moscow time" in html


def test_once_answered_nothing_is_promised(
    client, customer, agent, filed_on_friday_evening
) -> None:
    add_message(filed_on_friday_evening, author=agent, body="Смотрим.")
    client.force_login(customer)

    html = client.get(
        filed_on_friday_evening.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).text

    assert "Expect support's first answer" not in html
