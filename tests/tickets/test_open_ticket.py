from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import localdate

from tests.factories import LicenceFactory
from tests.tickets.conftest import upload
from tickets.models import Attachment, Ticket, TicketCounter
from tickets.services import TicketError, next_references, open_ticket

pytestmark = pytest.mark.django_db


def _file(contact, licence, **overrides):
    fields = {
        "contact": contact,
        "licence": licence,
        "subject": "Тема",
        "description": "Описание",
        "category": Ticket.Category.CONFIGURATION,
        **overrides,
    }
    return open_ticket(**fields)


def test_references_are_readable_and_count_up_within_the_year(
    customer, active_licence
) -> None:
    first = _file(customer, active_licence)
    second = _file(customer, active_licence)

    year = localdate().year
    assert first.reference == f"HD-{year}-000001"
    assert second.reference == f"HD-{year}-000002"


def test_each_year_counts_from_one_and_a_batch_takes_consecutive_numbers() -> None:
    assert next_references(2031, 2) == ["HD-2031-000001", "HD-2031-000002"]
    assert next_references(2031, 1) == ["HD-2031-000003"]
    assert next_references(2032, 1) == ["HD-2032-000001"]
    assert TicketCounter.objects.get(year=2031).last_number == 3


def test_the_first_message_and_its_files_are_kept(ticket) -> None:
    message = ticket.messages.get()
    assert message.kind == "customer"
    assert "не стартует" in message.body
    attachment = message.attachments.get()
    assert (attachment.original_name, attachment.size) == ("server.log", 9)
    assert "server.log" not in attachment.file.name  # stored by a generated name
    assert ticket.events.get().kind == "created"


def test_a_lapsed_subscription_is_refused_with_its_end_date(
    customer, lapsed_licence
) -> None:
    with pytest.raises(TicketError) as error:
        _file(customer, lapsed_licence)

    assert lapsed_licence.support_ends_on.strftime("%d.%m.%Y") in str(error.value)
    assert not Ticket.objects.exists()


def test_staff_may_file_for_a_lapsed_licence_with_a_recorded_reason(
    customer, lapsed_licence, agent
) -> None:
    ticket = _file(
        customer,
        lapsed_licence,
        filed_by=agent,
        override_reason="Продление оплачено, документы в пути",
    )

    assert ticket.licence_override_by == agent
    assert ticket.events.get().note == "Продление оплачено, документы в пути"


def test_staff_need_a_reason_to_override(customer, lapsed_licence, agent) -> None:
    with pytest.raises(TicketError):
        _file(customer, lapsed_licence, filed_by=agent, override_reason=" ")


def test_another_organisations_licence_is_refused(customer, other_organisation) -> None:
    foreign = LicenceFactory(organisation=other_organisation)

    with pytest.raises(TicketError):
        _file(customer, foreign)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("run.exe")], "нельзя прикрепить"),
        ([upload(f"f{n}.txt") for n in range(11)], "не больше 10"),
    ],
)
def test_attachment_limits(customer, active_licence, files, message) -> None:
    with pytest.raises(TicketError, match=message):
        _file(customer, active_licence, attachments=files)

    assert not Attachment.objects.exists()


def test_too_large_a_file_is_refused(customer, active_licence, settings) -> None:
    settings.TICKET_ATTACHMENT_MAX_BYTES = 10

    with pytest.raises(TicketError, match="больше"):
        _file(customer, active_licence, attachments=[upload("big.txt", b"x" * 11)])


def test_the_subscription_counts_on_the_day_of_filing(customer, organisation) -> None:
    ends_today = LicenceFactory(
        organisation=organisation,
        purchased_on=localdate().replace(year=localdate().year - 1)
        + datetime.timedelta(days=1),
    )

    assert _file(customer, ends_today).licence == ends_today


def test_a_subject_is_one_line(customer, active_licence) -> None:
    ticket = _file(
        customer, active_licence, subject="Первая строка\r\nBcc: victim@example.com"
    )

    assert ticket.subject == "Первая строка Bcc: victim@example.com"
