"""The customer's ticket list: sorted by the last public activity it shows,
"New reply" marked in words, and the organisation's list served by the index
`ticket_org_activity`."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.utils.timezone import localtime, now

from tickets.models import Ticket
from tickets.services import add_message, open_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

DAY = datetime.timedelta(days=1)


def _file(contact, licence, subject: str, *, days_ago: int) -> Ticket:
    with time_machine.travel(now() - days_ago * DAY, tick=False):
        return open_ticket(
            contact=contact,
            licence=licence,
            subject=subject,
            description="d",
            category="other",
        )


def _rows(html: str) -> list[str]:
    return re.findall(
        r"<tr(?: class=\"[^\"]*\")?>\s*<td class=\"reference\">.*?</tr>", html, re.S
    )


def _subjects(html: str) -> list[str]:
    return re.findall(r"<td class=\"subject\">\s*<a href=\"[^\"]+\">([^<]+)</a>", html)


@pytest.fixture
def three(customer, active_licence) -> list[Ticket]:
    return [
        _file(customer, active_licence, subject, days_ago=days)
        for subject, days in (("old", 3), ("middle", 2), ("new", 1))
    ]


def test_a_reply_brings_an_old_ticket_to_the_top_with_its_time(
    client, customer, agent, three
) -> None:
    old = three[0]
    reply = add_message(old, author=agent, body="Ответ.")
    client.force_login(customer)

    html = client.get("/tickets/").content.decode()

    assert _subjects(html) == ["old", "new", "middle"]
    first = _rows(html)[0]
    assert localtime(reply.created_at).strftime("%d.%m.%Y %H:%M") in first
    assert "Last activity" in html or "Последняя активность" in html


def test_an_internal_note_does_not_reorder_the_list(
    client, customer, agent, three
) -> None:
    add_message(three[0], author=agent, body="Только для своих.", internal=True)
    client.force_login(customer)

    html = client.get("/tickets/").content.decode()

    assert _subjects(html) == ["new", "middle", "old"]


def test_new_reply_is_marked_in_words_until_the_ticket_is_opened(
    client, customer, agent, three
) -> None:
    add_message(three[1], author=agent, body="Ответ.")
    client.force_login(customer)

    before = client.get("/tickets/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    client.get(three[1].get_absolute_url())
    after = client.get("/tickets/").content.decode()

    marked = [row for row in _rows(before) if "badge-new" in row]
    assert len(marked) == 1
    assert "middle" in marked[0]
    assert re.search(r"badge-new\">(New reply|Новый ответ)<", marked[0])
    assert f'href="{three[1].get_absolute_url()}#new"' in marked[0]
    assert "badge-new" not in after


def test_the_marker_stays_for_a_colleague_until_someone_reads_it(
    client, customer, colleague, agent, active_licence
) -> None:
    """The mark is the ticket's (one column): read by either customer, it is
    read; never shown for a customer's own messages."""
    mine = _file(colleague, active_licence, "mine", days_ago=1)
    add_message(mine, author=colleague, body="Ещё подробности.")
    client.force_login(colleague)

    assert "badge-new" not in client.get("/tickets/").content.decode()

    add_message(mine, author=agent, body="Ответ.")
    assert "badge-new" in client.get("/tickets/").content.decode()


def test_a_search_shows_the_marker_and_the_last_activity(
    client, customer, agent, three
) -> None:
    reply = add_message(three[0], author=agent, body="Ответ.")
    client.force_login(customer)

    html = client.get("/tickets/", {"q": "old"}).content.decode()

    (row,) = _rows(html)
    assert "badge-new" in row
    assert localtime(reply.created_at).strftime("%d.%m.%Y %H:%M") in row


def _plan(queryset) -> str:
    # Too few rows for the planner to prefer an index on its own: without
    # sequential scans, can an index serve the order and the keyset range?
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        return queryset.explain()


def test_the_organisations_list_reads_its_index(customer, three) -> None:
    tickets = Ticket.objects.visible_to(customer).latest_activity_first()
    last = three[1]

    first_page = _plan(tickets[:26])
    later_page = _plan(tickets.active_before(last.last_activity_at, last.pk)[:26])

    assert "ticket_org_activity" in first_page
    assert "ticket_org_activity" in later_page
    assert "Sort" not in first_page
    assert "Sort" not in later_page
