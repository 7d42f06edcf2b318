"""A customer may close a ticket nobody has answered, after confirming;
only help given is rated, and only answered tickets count in satisfaction."""

from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import now

from tickets.dashboard.figures import ratings
from tickets.models import SatisfactionRating, Ticket
from tickets.services import TicketError, add_message, close_ticket, rate_ticket

pytestmark = pytest.mark.django_db


def test_closing_an_unanswered_ticket_asks_for_confirmation(
    client, customer, ticket
) -> None:
    client.force_login(customer)

    html = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text

    assert '<details class="close-unanswered">' in html
    assert "Support has not answered yet. Close the ticket anyway?" in html
    assert "My problem is solved" not in html


def test_an_answered_ticket_is_closed_as_solved(
    client, customer, agent, ticket
) -> None:
    add_message(ticket, author=agent, body="Перезапустите службу.")
    client.force_login(customer)

    html = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text

    assert "My problem is solved: close the ticket" in html
    assert "close-unanswered" not in html


def test_an_unanswered_ticket_closed_asks_for_no_rating(
    client, customer, ticket
) -> None:
    client.force_login(customer)
    client.post(f"/tickets/{ticket.reference}/close/")

    html = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    refused = client.post(f"/tickets/{ticket.reference}/rate/", {"score": 5})

    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CLOSED
    assert "Rate our help" not in html
    assert refused.status_code == 302
    assert not SatisfactionRating.objects.exists()
    with pytest.raises(TicketError):
        rate_ticket(ticket, by=customer, score=4)


def test_an_answered_and_closed_ticket_is_rated(client, customer, agent, ticket):
    add_message(ticket, author=agent, body="Готово.")
    close_ticket(ticket, by=customer)
    client.force_login(customer)

    html = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text

    assert "Rate our help" in html


def test_ratings_of_unanswered_tickets_do_not_count(
    customer, agent, ticket, colleagues_ticket
) -> None:
    add_message(ticket, author=agent, body="Готово.")
    # An internal note is no answer.
    add_message(colleagues_ticket, author=agent, body="Смотрю", internal=True)
    for rated in (ticket, colleagues_ticket):
        close_ticket(rated, by=customer)
    rate_ticket(ticket, by=customer, score=5)
    # A rating stored before the rule (or through the admin).
    SatisfactionRating.objects.create(ticket=colleagues_ticket, score=1)

    figures = ratings(now() - datetime.timedelta(days=30))

    assert figures.all_time == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
