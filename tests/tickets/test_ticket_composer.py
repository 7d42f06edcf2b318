"""The staff ticket page: the composer (reply, note or call; Send and set a
status; macros and canned responses, with or without JavaScript), the one
properties form, and the requester's context beside them."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in
from tests.factories import LicenceFactory
from tests.tickets.conftest import upload
from tickets.models import CannedResponse, Macro, Message, Ticket
from tickets.services import change_ticket_status, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _file(contact, licence, subject: str) -> Ticket:
    return open_ticket(
        contact=contact,
        licence=licence,
        subject=subject,
        description="d",
        category=Ticket.Category.OTHER,
    )


@pytest.fixture
def macro(supervisor) -> Macro:
    return Macro.objects.create(
        title="Ждём журнал",
        body_ru="{customer_name}, пришлите журнал.",
        status=Ticket.Status.WAITING,
        priority=Ticket.Priority.CRITICAL,
        assignee=supervisor,
    )


def test_the_composer_starts_as_a_reply_and_names_who_reads_each_kind(
    staff_client, ticket
) -> None:
    page = staff_client.get(ticket.get_absolute_url()).content.decode()

    assert re.search(r'<input type="radio" name="kind" value="reply"[^>]*checked', page)
    assert not re.search(r'value="note"[^>]*checked', page)
    assert 'aria-describedby="composer-hint-note"' in page
    assert "Видеть эту заметку будут только сотрудники" in page
    assert "Клиент и его коллеги в копии увидят это" in page


def test_send_and_set_offers_only_what_the_workflow_allows(
    staff_client, ticket, agent
) -> None:
    new_page = staff_client.get(ticket.get_absolute_url()).content.decode()
    change_ticket_status(ticket, to="resolved", by=agent)
    resolved_page = staff_client.get(ticket.get_absolute_url()).content.decode()

    def offered(page: str) -> list[str]:
        return re.findall(r'name="then_status" value="(\w+)"', page)

    # A first reply opens a new ticket anyway.
    assert offered(new_page) == ["waiting", "resolved", "closed"]
    assert offered(resolved_page) == ["open", "closed"]


def test_an_internal_note_sent_and_the_status_set_in_one_post(
    staff_client, ticket, mailoutbox
) -> None:
    response = staff_client.post(
        ticket.get_absolute_url(),
        {"body": "Для своих", "kind": "note", "then_status": "waiting"},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.messages.last().kind == Message.Kind.INTERNAL_NOTE
    assert ticket.status == "waiting"


def test_a_status_the_workflow_refuses_keeps_the_text(staff_client, ticket, agent):
    change_ticket_status(ticket, to="closed", by=agent)

    response = staff_client.post(
        ticket.get_absolute_url(),
        {"body": "Ответ *важный*", "then_status": "waiting"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "не может стать" in page
    assert "Ответ *важный*</textarea>" in page
    assert ticket.messages.count() == 1


def test_a_macro_chosen_is_applied_by_the_one_send(
    staff_client, ticket, macro, supervisor
) -> None:
    staff_client.post(
        ticket.get_absolute_url(),
        {"body": "Анна, пришлите журнал.", "macro": f"m{macro.pk}"},
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == (
        "waiting",
        "critical",
        supervisor,
    )
    assert ticket.messages.last().body == "Анна, пришлите журнал."


def test_the_picker_offers_macros_filled_and_canned_responses(
    staff_client, ticket, macro, supervisor, agent
) -> None:
    CannedResponse.objects.create(title="Готовый", body_ru="Заявка {reference}")
    Macro.objects.create(title="Мой личный", body_ru="x", owner=agent)
    Macro.objects.create(title="Чужой личный", body_ru="x", owner=supervisor)

    page = staff_client.get(ticket.get_absolute_url()).content.decode()

    assert f'value="m{macro.pk}" data-text="Анна Смирнова, пришлите журнал."' in page
    assert 'data-status="waiting"' in page
    assert html.escape("приоритет: Критический") in page
    assert "Мой личный (мой)" in page
    assert "Чужой личный" not in page
    assert f'data-text="Заявка {ticket.reference}"' in page


def test_apply_without_javascript_sets_the_macro_and_keeps_text_and_files(
    staff_client, ticket, macro
) -> None:
    response = staff_client.post(
        ticket.get_absolute_url(),
        {
            "action": "apply_macro",
            "macro": f"m{macro.pk}",
            "body": "Добрый день.",
            "attachments": [upload("screen.png", b"\x89PNG\r\n\x1a\n")],
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("waiting", "critical")
    assert "Добрый день.\n\nАнна Смирнова, пришлите журнал.</textarea>" in page
    assert "screen.png" in page  # kept, ticked, sent with the reply
    assert "Макрос «Ждём журнал» применён" in page
    assert ticket.messages.count() == 1


def test_apply_a_canned_response_without_javascript_changes_nothing_else(
    staff_client, ticket
) -> None:
    response = CannedResponse.objects.create(
        title="Готовый", body_ru="Ответ {reference}"
    )

    page = staff_client.post(
        ticket.get_absolute_url(),
        {"action": "apply_macro", "macro": f"c{response.pk}", "body": ""},
    ).content.decode()

    assert f"Ответ {ticket.reference}</textarea>" in page
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_someone_elses_macro_is_refused_and_the_text_kept(
    staff_client, ticket, supervisor
) -> None:
    theirs = Macro.objects.create(title="Чужой", body_ru="x", owner=supervisor)

    response = staff_client.post(
        ticket.get_absolute_url(),
        {"body": "Мой текст", "macro": f"m{theirs.pk}"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_macro"' in page
    assert "Мой текст</textarea>" in page
    assert ticket.messages.count() == 1


def test_the_properties_form_saves_the_status_with_the_rest(
    staff_client, ticket, agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            f"/tickets/{ticket.reference}/properties/",
            {
                "status": "resolved",
                "priority": "low",
                "category": ticket.category,
                "assignee": agent.pk,
                "licence": ticket.licence_id,
            },
        )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == (
        "resolved",
        "low",
        agent,
    )
    assert ticket.events.filter(kind="status", new_value="resolved").exists()
    assert [m.to for m in mailoutbox] == [[ticket.contact_email]]


def test_the_properties_form_offers_the_statuses_the_workflow_allows(
    staff_client, ticket, agent
) -> None:
    change_ticket_status(ticket, to="closed", by=agent)

    page = staff_client.get(ticket.get_absolute_url()).content.decode()
    select = page[
        page.index('name="status"') : page.index(
            "</select>", page.index('name="status"')
        )
    ]

    assert re.findall(r'<option value="(\w+)"', select) == ["open", "closed"]
    assert (
        page.count('<button type="submit">') == 1
    )  # one primary button in the sidebar


def test_the_requesters_context(
    staff_client, ticket, customer, colleague, active_licence, outsider, agent
) -> None:
    other_licence = LicenceFactory(organisation=outsider.membership.organisation)
    _file(colleague, active_licence, "Другая открытая")
    closed_one = _file(colleague, active_licence, "Другая закрытая")
    change_ticket_status(closed_one, to="closed", by=agent)
    earlier_own = _file(customer, active_licence, "Моя прошлая")
    change_ticket_status(earlier_own, to="closed", by=agent)
    _file(outsider, other_licence, "Чужая организация")

    page = staff_client.get(ticket.get_absolute_url()).content.decode()
    context = page[page.index('id="requester-title"') :]
    organisation_part, contact_part = context.split("Последние заявки контакта")

    assert "Другая открытая" in organisation_part
    assert "Другая закрытая" not in organisation_part
    assert "Чужая организация" not in context
    assert "Моя прошлая" in contact_part
    assert "Другая открытая" not in contact_part
    assert f"?organisation={ticket.organisation.tax_id}" in organisation_part
    assert "История подписки" in context
    assert ticket.subject not in context


def test_customers_get_neither_the_composer_nor_the_requesters_context(
    client, customer, ticket
) -> None:
    sign_in(client, customer)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "data-composer" not in page
    assert "requester-title" not in page
    assert 'name="then_status"' not in page


def test_the_staff_page_costs_the_same_with_many_macros_and_tickets_around(
    client, agent, customer, colleague, active_licence, ticket
) -> None:
    sign_in(client, agent)
    url = ticket.get_absolute_url()
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for n in range(8):
        _file(colleague if n % 2 else customer, active_licence, f"T{n}")
        Macro.objects.create(title=f"M{n}", body_ru="x", priority="low")

    assert queries() == before
