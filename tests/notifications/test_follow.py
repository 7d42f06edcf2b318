from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache

from notifications.models import Follow
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def test_follow_and_unfollow_from_the_ticket_page(client, ivan, ticket) -> None:
    sign_in(client, ivan)
    page = client.get(ticket.get_absolute_url()).content.decode()
    follow = f"/staff/notifications/tickets/{ticket.reference}/follow/"
    unfollow = f"/staff/notifications/tickets/{ticket.reference}/unfollow/"
    assert follow in page

    assert client.post(follow)["Location"] == ticket.get_absolute_url()
    assert Follow.objects.filter(user=ivan, ticket=ticket).exists()
    assert unfollow in client.get(ticket.get_absolute_url()).content.decode()

    client.post(unfollow)
    assert not Follow.objects.exists()
    assert follow in client.get(ticket.get_absolute_url()).content.decode()


def test_following_twice_is_one_follow(client, ivan, ticket) -> None:
    sign_in(client, ivan)
    url = f"/staff/notifications/tickets/{ticket.reference}/follow/"

    client.post(url)
    client.post(url)

    assert Follow.objects.count() == 1


def test_an_unknown_ticket_is_404_and_get_is_405(client, ivan, ticket) -> None:
    sign_in(client, ivan)

    assert (
        client.post("/staff/notifications/tickets/HD-1999-000001/follow/").status_code
        == 404
    )
    url = f"/staff/notifications/tickets/{ticket.reference}/follow/"
    assert client.get(url).status_code == 405


def test_customers_cannot_follow(client, customer, ticket) -> None:
    client.force_login(customer)

    url = f"/staff/notifications/tickets/{ticket.reference}/follow/"
    assert client.post(url).status_code == 403


def test_the_ticket_page_reads_the_persons_notifications_once(
    client, ivan, ticket
) -> None:
    sign_in(client, ivan)
    client.get(ticket.get_absolute_url())

    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        page = client.get(ticket.get_absolute_url()).content.decode()

    # The header's count and the Follow button share one read.
    person_reads = [
        call
        for call in get_many.call_args_list
        if f"notifications:person:{ivan.pk}:person" in call.args[0]
    ]
    assert len(person_reads) == 1
    assert f"/staff/notifications/tickets/{ticket.reference}/follow/" in page
