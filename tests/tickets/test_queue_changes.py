"""The queue's changes endpoint, polled by the page for its "N new or updated"
notice: ETag, 304 Not Modified, the view's filters."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from tests.auth import sign_in
from tickets.models import Ticket
from tickets.services import open_ticket, update_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

CHANGES = "/staff/queue/changes/"


def _file(customer, licence, subject: str = "Вопрос", **options: object) -> Ticket:
    options.setdefault("category", Ticket.Category.OTHER)
    return open_ticket(
        contact=customer, licence=licence, subject=subject, description="d", **options
    )


def _url(since: datetime.datetime, **query: str) -> str:
    return f"{CHANGES}?{urlencode({**query, 'since': since.isoformat()})}"


def test_the_page_names_its_changes_url(staff_client, customer, active_licence) -> None:
    _file(customer, active_licence)

    response = staff_client.get("/staff/queue/", {"view": "mine", "priority": "high"})

    url = response.context["changes_url"]
    assert url.startswith(f"{CHANGES}?view=mine&priority=high&since=")
    assert staff_client.get(url).json()["count"] == 0


def test_nothing_changed_then_a_ticket_is_filed(
    staff_client, customer, active_licence
) -> None:
    _file(customer, active_licence)
    url = _url(now())

    first = staff_client.get(url)
    assert first.status_code == 200
    assert first.json() == {"count": 0, "text": "0 новых или изменённых заявок."}
    etag = first["ETag"]
    assert etag

    unchanged = staff_client.get(url, headers={"if-none-match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    _file(customer, active_licence, "Новая")
    changed = staff_client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json() == {"count": 1, "text": "1 новая или изменённая заявка."}


def test_an_update_is_a_change(staff_client, customer, agent, active_licence) -> None:
    ticket = _file(customer, active_licence)
    url = _url(now())

    update_ticket(ticket, by=agent, priority=Ticket.Priority.HIGH)

    assert staff_client.get(url).json()["count"] == 1


def test_it_counts_the_view_and_filters_of_the_page(
    staff_client, customer, agent, supervisor, active_licence
) -> None:
    since = now()
    _file(customer, active_licence, "нормальная")
    high = _file(customer, active_licence, "высокая", priority=Ticket.Priority.HIGH)
    update_ticket(high, by=supervisor, assignee=agent)

    def count(**query: str) -> int:
        return staff_client.get(_url(since, **query)).json()["count"]

    assert count() == 2
    assert count(priority="high") == 1
    assert count(view="mine") == 1
    assert count(view="unassigned") == 1
    assert count(view="waiting") == 0
    assert count(view="mine", priority="low") == 0


def test_one_query_for_the_answer(staff_client, customer, active_licence) -> None:
    for n in range(3):
        _file(customer, active_licence, f"T{n}")
    url = _url(now() - datetime.timedelta(hours=1), priority="normal")
    staff_client.get(url)

    with CaptureQueriesContext(connection) as queries:
        staff_client.get(url)

    tickets = [q for q in queries.captured_queries if "tickets_ticket" in q["sql"]]
    assert len(tickets) == 1


def test_a_missing_or_naive_moment_is_400(staff_client) -> None:
    assert staff_client.get(CHANGES).status_code == 400
    assert staff_client.get(CHANGES, {"since": "вчера"}).status_code == 400
    assert staff_client.get(CHANGES, {"since": "2026-12-01T10:00"}).status_code == 400


def test_only_staff_and_only_get(client, staff_client, customer) -> None:
    url = _url(now())
    assert staff_client.post(url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302
    sign_in(client, customer)
    assert client.get(url).status_code == 403
