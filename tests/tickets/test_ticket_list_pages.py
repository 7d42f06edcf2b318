"""The ticket list's pages: latest public activity first, each after the
last ticket of the page before (keyset paging: the last page costs what the
first does)."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.utils.timezone import now

from tickets.models import Ticket
from tickets.services import open_ticket
from tickets.views.customer import TICKETS_PER_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _file(contact, licence, n: int) -> Ticket:
    return open_ticket(
        contact=contact,
        licence=licence,
        subject=f"T{n}",
        description="d",
        category="other",
    )


def _references(html: str) -> list[str]:
    return re.findall(
        r"<td class=\"reference\"><a href=\"[^\"]+\"><code>([^<]+)</code>", html
    )


def _older(html: str) -> str:
    found = re.search(r'<a href="([^"]+)">[^<]*→</a>', html)
    return unescape(found[1]) if found else ""


@pytest.fixture
def sixty_tickets(customer, colleague, active_licence) -> list[str]:
    """Latest activity first (for a ticket only filed, its filing); thirty
    filed at one instant, so paging must break ties."""
    tickets = []
    with time_machine.travel(now() - datetime.timedelta(days=2), tick=False):
        tickets += [_file(customer, active_licence, n) for n in range(30)]
    with time_machine.travel(now() - datetime.timedelta(days=1)):
        tickets += [
            _file(colleague if n % 2 else customer, active_licence, n)
            for n in range(30, 60)
        ]
    ordered = sorted(tickets, key=lambda t: (t.created_at, t.pk), reverse=True)
    return [ticket.reference for ticket in ordered]


def test_older_pages_show_every_ticket_once_latest_activity_first(
    client, customer, sixty_tickets
) -> None:
    client.force_login(customer)
    seen, url, pages = [], "/tickets/", 0
    while url:
        html = client.get(url).content.decode()
        seen += _references(html)
        pages += 1
        older = _older(html)
        url = f"/tickets/{older}" if older else ""
        if pages > 1:
            assert "First page" in html or "Первая страница" in html

    assert pages == -(-60 // TICKETS_PER_PAGE)
    assert seen == sixty_tickets


def test_the_status_filter_is_kept_from_page_to_page(
    client, customer, sixty_tickets
) -> None:
    Ticket.objects.filter(reference__in=sixty_tickets[::2]).update(status="closed")
    client.force_login(customer)

    first = client.get("/tickets/?status=closed").content.decode()
    second = client.get(f"/tickets/{_older(first)}").content.decode()

    assert "status=closed" in _older(first)
    assert _references(first) + _references(second) == sixty_tickets[::2]


@pytest.mark.parametrize("cursor", ["garbage", "2026-03-02T10:00:00_x", "2026-03-02_5"])
def test_a_cursor_not_of_ours_shows_the_first_page(
    client, customer, sixty_tickets, cursor
) -> None:
    client.force_login(customer)

    html = client.get("/tickets/", {"after": cursor}).content.decode()

    assert _references(html) == sixty_tickets[:TICKETS_PER_PAGE]
