"""Saved queue filters per agent; the warning when two agents work one ticket."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.auth import sign_in
from tickets.models import Message, SavedFilter, Ticket
from tickets.services import add_message, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


@pytest.fixture(autouse=True)
def _nobody_else_viewing() -> None:
    # Presence lives in the cache, which outlives each test's database.
    cache.clear()


@pytest.fixture
def ticket(customer, active_licence) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=active_licence,
        subject="Ошибка синхронизации",
        description="Подробности",
        category=Ticket.Category.MALFUNCTION,
        priority=Ticket.Priority.HIGH,
    )


def test_an_agent_saves_a_view_and_finds_it_again(client, agent, ticket) -> None:
    sign_in(client, agent)

    response = client.post(
        "/staff/queue/filters/",
        {
            "name": "Срочное",
            "query": "view=unassigned&priority=high&after=xyz&evil=1&status=",
        },
    )

    saved = SavedFilter.objects.get(owner=agent)
    # Only queue parameters are kept; a page cursor or junk is not.
    assert saved.query == "view=unassigned&priority=high"
    assert response["Location"] == "/staff/queue/?view=unassigned&priority=high"
    page = client.get("/staff/queue/").content.decode()
    assert 'href="/staff/queue/?view=unassigned&amp;priority=high"' in page
    assert "Срочное" in page


def test_saving_under_the_same_name_replaces(client, agent) -> None:
    sign_in(client, agent)
    for query in ("priority=high", "priority=low"):
        client.post("/staff/queue/filters/", {"name": "Моё", "query": query})

    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["priority=low"]


def test_saved_filters_are_personal(client, agent, supervisor) -> None:
    mine = SavedFilter.objects.create(owner=agent, name="Моё", query="view=mine")
    sign_in(client, supervisor)

    assert "Моё" not in client.get("/staff/queue/").content.decode()
    assert client.post(f"/staff/queue/filters/{mine.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()


def test_a_saved_filter_without_a_name_is_refused(client, agent) -> None:
    sign_in(client, agent)

    response = client.post(
        "/staff/queue/filters/", {"name": "", "query": "priority=high"}, follow=True
    )

    assert not SavedFilter.objects.exists()
    assert response.status_code == 200


def _staff(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def test_an_agent_sees_who_else_has_the_ticket_open(agent, supervisor, ticket) -> None:
    first, second = _staff(agent), _staff(supervisor)
    url = ticket.get_absolute_url()

    first.get(url)
    page = second.get(url).content.decode()

    assert f"{agent.get_full_name()} тоже открыл(а) эту заявку." in page
    # The first agent starts typing: the heartbeat says so.
    first.post(f"/staff/tickets/{ticket.reference}/presence/", {"replying": "1"})
    answer = second.post(
        f"/staff/tickets/{ticket.reference}/presence/", {"replying": "0"}
    ).json()
    assert answer == {"text": f"{agent.get_full_name()} пишет ответ в этой заявке."}
    # And the first hears of the second.
    assert first.post(f"/staff/tickets/{ticket.reference}/presence/").json() == {
        "text": f"{supervisor.get_full_name()} тоже открыл(а) эту заявку."
    }


def test_a_reply_written_over_a_colleagues_is_held_with_the_text_kept(
    agent, supervisor, customer, ticket
) -> None:
    url = ticket.get_absolute_url()
    first = _staff(agent)
    seen = first.get(url).context["seen_message"]
    add_message(ticket, author=supervisor, body="Уже ответил: обновите клиент.")

    held = first.post(url, {"body": "Перезапустите сервер", "seen": seen})

    assert held.status_code == 200
    assert "Перезапустите сервер" in held.content.decode()
    [warning] = held.context["form"].non_field_errors()
    assert supervisor.get_full_name() in warning
    assert not Message.objects.filter(body="Перезапустите сервер").exists()
    # Having read it, the agent sends again: the page now carries the newest.
    sent = first.post(
        url, {"body": "Перезапустите сервер", "seen": held.context["seen_message"]}
    )
    assert sent.status_code == 302
    assert Message.objects.filter(body="Перезапустите сервер").exists()


def test_an_own_earlier_message_is_no_collision(agent, ticket) -> None:
    url = ticket.get_absolute_url()
    client = _staff(agent)
    seen = client.get(url).context["seen_message"]
    add_message(ticket, author=agent, body="Заметка", internal=True)

    assert client.post(url, {"body": "Ответ", "seen": seen}).status_code == 302
