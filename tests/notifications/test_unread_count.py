"""The staff header's unread count costs a staff page no query: it is kept in
the cache (`notifications.unread`) and forgotten when notifications are
written or read."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from notifications.services import mark_all_read, notify
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

QUEUE = "/staff/queue/"


def _badge(client, url: str = QUEUE) -> str:
    html = client.get(url).content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    found = re.search(r'class="notification-bell"[^>]*>.*?</a>', header, re.S)
    assert found, "the bell is in the staff header"
    badge = re.search(r'class="badge badge-new">([^<]+)<', found[0])
    return badge[1] if badge else ""


def _notify(person, ticket) -> Notification:
    return notify(person, ticket, kind=Notification.Kind.RULE, title="Правило")


def test_the_bell_counts_unread_without_a_query(
    client, ivan, ticket, django_assert_num_queries
) -> None:
    sign_in(client, ivan)
    assert _badge(client) == ""
    with CaptureQueriesContext(connection) as captured:
        client.get(QUEUE)
    before = len(captured)

    _notify(ivan, ticket)
    _notify(ivan, ticket)
    assert _badge(client) == "2"  # read once after the change

    with django_assert_num_queries(before):
        client.get(QUEUE)
    with django_assert_num_queries(before):
        assert _badge(client) == "2"


def test_the_staff_ticket_page_costs_the_same_with_notifications(
    client, ivan, ticket, django_assert_num_queries
) -> None:
    sign_in(client, ivan)
    url = ticket.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    before = len(captured)

    _notify(ivan, ticket)
    client.get(url)

    with django_assert_num_queries(before):
        page = client.get(url).content.decode()
    assert 'class="badge badge-new">1<' in page


def test_reading_them_clears_the_count(client, ivan, ticket) -> None:
    sign_in(client, ivan)
    _notify(ivan, ticket)
    assert _badge(client) == "1"

    mark_all_read(ivan)

    assert _badge(client) == ""


def test_a_hundred_read_as_99_plus(client, ivan, ticket) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=ivan, ticket=ticket, kind="rule", title=str(n))
        for n in range(120)
    )
    sign_in(client, ivan)

    assert _badge(client) == "99+"


def test_customers_have_no_bell(client, customer) -> None:
    client.force_login(customer)

    assert "notification-bell" not in client.get("/tickets/").content.decode()
