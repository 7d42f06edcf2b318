"""The queue's rows, as the `queue_rows` tag writes them in Python."""

from __future__ import annotations

import datetime
import re
from html import escape, unescape

import pytest
from django.test import Client
from django.utils import translation
from django.utils.timesince import timesince
from django.utils.timezone import now
from django.utils.translation import gettext as _

from tests.auth import sign_in
from tickets.models import Ticket
from tickets.services import open_ticket, take_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]


def _file(customer, licence, subject: str) -> Ticket:
    return open_ticket(
        contact=customer,
        licence=licence,
        subject=subject,
        description="d",
        category=Ticket.Category.OTHER,
        priority=Ticket.Priority.HIGH,
    )


def _row(html: str, reference: str) -> str:
    found = re.search(rf'<tr data-reference="{reference}">.*?</tr>', html, re.S)
    assert found, f"no row for {reference}"
    return found[0]


@pytest.fixture
def csrf_client(agent) -> Client:
    """A browser as Django's CSRF check sees it: forms must carry the token."""
    client = Client(enforce_csrf_checks=True)
    sign_in(client, agent)
    return client


def test_a_row_shows_the_ticket_and_links_to_it(
    csrf_client, customer, active_licence, agent
) -> None:
    ticket = _file(customer, active_licence, "Печать <b>не</b> работает")
    take_ticket(ticket, by=agent)

    row = _row(csrf_client.get("/staff/queue/").content.decode(), ticket.reference)

    assert f'<a href="{ticket.get_absolute_url()}">' in row
    assert "Печать &lt;b&gt;не&lt;/b&gt; работает" in row
    assert (
        f'<td class="cell-organisation" data-label="Организация">'
        f"{active_licence.organisation.name}</td>"
    ) in row
    assert '<span class="priority priority-high">Высокий</span>' in row
    assert (
        f'<td class="cell-assignee" data-label="Исполнитель">'
        f"{agent.get_full_name()}</td>"
    ) in row
    assert f'aria-label="Выбрать {ticket.reference}"' in row
    assert "<form" not in row


def test_a_row_in_english_says_so(csrf_client, customer, active_licence) -> None:
    ticket = _file(customer, active_licence, "Printing fails")
    csrf_client.cookies["django_language"] = "en"

    row = _row(csrf_client.get("/staff/queue/").content.decode(), ticket.reference)

    assert f'aria-label="Select {ticket.reference}"' in row
    assert '<span class="priority priority-high">High</span>' in row
    assert ">Take</button>" in row


def test_the_take_button_of_an_unassigned_row_works_and_comes_back(
    csrf_client, customer, active_licence, agent
) -> None:
    ticket = _file(customer, active_licence, "Лицензия не активируется")
    page = "/staff/queue/?view=unassigned&priority=high"

    row = _row(csrf_client.get(page).content.decode(), ticket.reference)
    action = re.search(r'<form method="post" action="([^"]+)"', row)[1]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', row))
    response = csrf_client.post(action, {k: unescape(v) for k, v in fields.items()})

    assert fields["next"] == "/staff/queue/?view=unassigned&amp;priority=high"
    assert response.status_code == 302
    assert response["Location"] == page
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_a_row_without_a_customer_message_shows_a_dash(
    csrf_client, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence, "Вопрос")
    Ticket.objects.filter(pk=ticket.pk).update(last_customer_message_at=None)

    row = _row(csrf_client.get("/staff/queue/").content.decode(), ticket.reference)

    assert '<td class="cell-wrote" data-label="Клиент писал">—</td>' in row
    assert "<time" not in row


def test_when_the_customer_wrote_reads_as_djangos_timesince(
    csrf_client, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence, "Вопрос")
    wrote = now() - datetime.timedelta(days=23, hours=5, minutes=7)
    Ticket.objects.filter(pk=ticket.pk).update(last_customer_message_at=wrote)

    # Each text is remembered after its first use: in each language its own.
    for language in ("ru", "en", "ru", "en"):
        csrf_client.cookies["django_language"] = language
        row = _row(csrf_client.get("/staff/queue/").content.decode(), ticket.reference)
        with translation.override(language):
            expected = _("%(since)s ago") % {"since": timesince(wrote)}
        assert f">{escape(expected)}</time>" in row
