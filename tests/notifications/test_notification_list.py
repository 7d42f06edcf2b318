from __future__ import annotations

import datetime

import pytest
from django.utils.timezone import now

from notifications.models import Notification
from notifications.views import NOTIFICATIONS_PER_PAGE
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

LIST = "/staff/notifications/"


def _make(person, ticket, count: int) -> list[Notification]:
    start = now() - datetime.timedelta(hours=1)
    return Notification.objects.bulk_create(
        Notification(
            recipient=person,
            ticket=ticket,
            kind=Notification.Kind.RULE,
            title=f"Правило {n}",
            created_at=start + datetime.timedelta(seconds=n),
        )
        for n in range(count)
    )


def test_newest_first_in_pages_by_keyset(client, ivan, ticket) -> None:
    _make(ivan, ticket, NOTIFICATIONS_PER_PAGE + 5)
    sign_in(client, ivan)

    first = client.get(LIST)
    titles = [n.title for n in first.context["notifications"]]
    assert titles[0] == f"Правило {NOTIFICATIONS_PER_PAGE + 4}"
    assert len(titles) == NOTIFICATIONS_PER_PAGE
    second = client.get(LIST + first.context["next_url"])

    assert [n.title for n in second.context["notifications"]] == [
        f"Правило {n}" for n in range(4, -1, -1)
    ]
    assert second.context["next_url"] == ""


def test_opening_one_marks_it_read_and_goes_to_the_ticket(client, ivan, ticket) -> None:
    notification, other = _make(ivan, ticket, 2)
    sign_in(client, ivan)
    assert "notification-unread" in client.get(LIST).content.decode()

    response = client.post(notification.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None
    assert other.read_at is None


def test_mark_all_read(client, ivan, maria, ticket) -> None:
    _make(ivan, ticket, 3)
    _make(maria, ticket, 1)
    sign_in(client, ivan)

    assert client.post("/staff/notifications/read/").status_code == 302

    assert not Notification.objects.filter(recipient=ivan, read_at=None).exists()
    assert Notification.objects.filter(recipient=maria, read_at=None).count() == 1


def test_anothers_notification_is_404(client, ivan, maria, ticket) -> None:
    (notification,) = _make(maria, ticket, 1)
    sign_in(client, ivan)

    assert client.post(notification.get_absolute_url()).status_code == 404
    assert client.get(LIST).context["notifications"] == []


def test_opening_takes_post_only(client, ivan, ticket) -> None:
    (notification,) = _make(ivan, ticket, 1)
    sign_in(client, ivan)

    assert client.get(notification.get_absolute_url()).status_code == 405
    assert client.get("/staff/notifications/read/").status_code == 405


def test_customers_are_refused(client, customer) -> None:
    client.force_login(customer)

    assert client.get(LIST).status_code == 403
