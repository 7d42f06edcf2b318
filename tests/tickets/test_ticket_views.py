from __future__ import annotations

import pytest

from tests.auth import sign_in
from tests.tickets.conftest import upload
from tickets.models import SatisfactionRating, Ticket
from tickets.services import add_message, change_ticket_status

pytestmark = pytest.mark.django_db


def _form(licence, **overrides):
    return {
        "licence": licence.pk,
        "subject": "Ошибка при входе",
        "description": "Текст **описания**",
        "category": "configuration",
        "priority": "normal",
        "contact_email": "anna@alfa.example",
        "contact_phone": "+7 900 000-00-00",
        **overrides,
    }


def test_a_contact_files_a_ticket_with_two_files(
    client, customer, active_licence
) -> None:
    client.force_login(customer)

    response = client.post(
        "/tickets/new/",
        {
            **_form(active_licence),
            "attachments": [upload("a.txt", b"1"), upload("b.png", b"\x89PNG")],
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.reference}/"
    assert ticket.contact_email == "anna@alfa.example"
    assert sorted(a.original_name for a in ticket.messages.get().attachments.all()) == [
        "a.txt",
        "b.png",
    ]


def test_the_form_prefills_contact_details_and_says_what_support_covers(
    client, customer, active_licence
) -> None:
    client.force_login(customer)

    text = client.get("/tickets/new/").content.decode()

    assert f'value="{customer.email}"' in text
    assert "не включает обучение пользователей" in text
    assert active_licence.number in text


def test_a_lapsed_licence_is_explained_and_nothing_typed_is_lost(
    client, customer, lapsed_licence
) -> None:
    client.force_login(customer)

    response = client.post(
        "/tickets/new/",
        {
            **_form(lapsed_licence, subject="Моя тема"),
            "attachments": [upload("screen.png", b"\x89PNG\r\n\x1a\n")],
        },
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert lapsed_licence.support_ends_on.strftime("%d.%m.%Y") in text
    assert "Чтобы продлить подписку и подавать новые заявки, напишите" in text
    assert 'value="Моя тема"' in text
    assert "Текст **описания**" in text
    # The file is kept, ticked, to be sent again with the form.
    assert "Файлы, сохранённые с прошлой попытки" in text
    assert "screen.png" in text
    assert not Ticket.objects.exists()


def test_another_organisations_licence_is_not_a_choice(
    client, customer, outsider, other_organisation
) -> None:
    from tests.factories import LicenceFactory

    foreign = LicenceFactory(organisation=other_organisation)
    client.force_login(customer)

    response = client.post("/tickets/new/", _form(foreign))

    assert response.status_code == 200
    assert not Ticket.objects.exists()


def test_managers_see_all_of_the_organisations_tickets_members_only_theirs(
    client, customer, colleague, ticket, colleagues_ticket, outsider
) -> None:
    client.force_login(customer)
    manager_view = client.get("/tickets/").content.decode()
    client.force_login(colleague)
    member_view = client.get("/tickets/").content.decode()
    client.force_login(outsider)
    outsider_view = client.get("/tickets/").content.decode()

    assert ticket.reference in manager_view
    assert colleagues_ticket.reference in manager_view
    assert ticket.reference not in member_view
    assert colleagues_ticket.reference in member_view
    assert ticket.reference not in outsider_view
    assert colleagues_ticket.reference not in outsider_view


def test_a_copied_colleague_sees_the_ticket(client, colleague, ticket) -> None:
    ticket.cc.add(colleague)
    client.force_login(colleague)

    assert client.get(f"/tickets/{ticket.reference}/").status_code == 200


@pytest.mark.parametrize("suffix", ["", "close/", "rate/"])
def test_outsiders_and_uncopied_members_get_404(
    client, outsider, colleague, ticket, suffix
) -> None:
    for user in (outsider, colleague):
        client.force_login(user)
        method = client.get if suffix == "" else client.post
        assert method(f"/tickets/{ticket.reference}/{suffix}").status_code == 404


def test_visitors_are_sent_to_sign_in(client, ticket) -> None:
    response = client.get(f"/tickets/{ticket.reference}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_customer_never_sees_internal_notes(
    client, customer, agent, ticket
) -> None:
    add_message(
        ticket,
        author=agent,
        body="СЕКРЕТНАЯ-ЗАМЕТКА",
        internal=True,
        attachments=[upload("note.txt")],
    )
    add_message(ticket, author=agent, body="Публичный ответ")
    client.force_login(customer)

    text = client.get(f"/tickets/{ticket.reference}/").content.decode()

    assert "Публичный ответ" in text
    assert "СЕКРЕТНАЯ-ЗАМЕТКА" not in text
    assert "note.txt" not in text
    sign_in(client, agent)
    assert (
        "СЕКРЕТНАЯ-ЗАМЕТКА"
        in client.get(f"/tickets/{ticket.reference}/").content.decode()
    )


def test_the_page_shows_the_licence_and_its_support_end(
    client, customer, ticket
) -> None:
    client.force_login(customer)

    text = client.get(f"/tickets/{ticket.reference}/").content.decode()

    assert ticket.licence.number in text
    assert str(ticket.licence.support_ends_on.year) in text


def test_a_customer_replies_with_a_file(client, customer, ticket) -> None:
    client.force_login(customer)

    response = client.post(
        f"/tickets/{ticket.reference}/",
        {"body": "Журнал во вложении", "attachments": [upload("more.log")]},
    )

    assert response.status_code == 302
    assert ticket.messages.last().attachments.get().original_name == "more.log"


def test_an_agent_replies_and_changes_the_status(client, agent, ticket) -> None:
    sign_in(client, agent)

    client.post(
        f"/tickets/{ticket.reference}/", {"body": "Решено", "then_status": "resolved"}
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.first_response_at is not None


def test_extra_fields_in_a_customer_reply_are_ignored(client, customer, ticket) -> None:
    client.force_login(customer)

    client.post(
        f"/tickets/{ticket.reference}/",
        {"body": "Привет", "kind": "note", "then_status": "closed"},
    )

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert ticket.messages.last().kind == "customer"


def test_closing_then_rating_once(client, customer, agent, ticket) -> None:
    add_message(ticket, author=agent, body="Перезапустите службу.")
    client.force_login(customer)

    assert client.get(f"/tickets/{ticket.reference}/close/").status_code == 405
    client.post(f"/tickets/{ticket.reference}/close/")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert (
        "Оцените нашу помощь"
        in client.get(f"/tickets/{ticket.reference}/").content.decode()
    )

    client.post(
        f"/tickets/{ticket.reference}/rate/", {"score": "5", "comment": "Спасибо!"}
    )
    client.post(
        f"/tickets/{ticket.reference}/rate/", {"score": "1", "comment": "Ещё раз"}
    )

    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment) == (5, "Спасибо!")
    assert (
        "Оцените нашу помощь"
        not in client.get(f"/tickets/{ticket.reference}/").content.decode()
    )


def test_staff_do_not_file_tickets_as_customers(client, agent) -> None:
    sign_in(client, agent)

    assert client.get("/tickets/new/").status_code == 403


def test_history_is_shown_to_staff(client, agent, ticket) -> None:
    change_ticket_status(ticket, to=Ticket.Status.WAITING, by=agent)
    sign_in(client, agent)

    text = client.get(f"/tickets/{ticket.reference}/").content.decode()

    assert "Ожидает ответа клиента" in text


def test_a_user_without_an_organisation_cannot_file(client) -> None:
    """Such an account may not act (`User.may_act`): its session is not one."""
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get("/tickets/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_markdown_preview_is_sanitised(client, customer) -> None:
    client.force_login(customer)

    response = client.post(
        "/tickets/preview/",
        {"text": "**жирный** <script>alert(1)</script> [x](javascript:alert(1))"},
    )

    html = response.content.decode()
    assert "<strong>жирный</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_member_of_same_org_not_party_gets_404_for_attachment(
    client, colleague, ticket
) -> None:
    attachment = ticket.messages.get().attachments.get()
    client.force_login(colleague)

    assert client.get(attachment.get_absolute_url()).status_code == 404
