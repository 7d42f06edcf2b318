"""The closing e-mail asks for the rating with one-click links; one rating per
ticket whatever the channel; low ratings reach the supervisors."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils.timezone import now

from accounts.models import StaffRole
from accounts.services import remove_contact
from notifications.models import Notification
from tests.conftest import _staff
from tickets import rating_links
from tickets.models import SatisfactionRating, SupportGroup, Ticket
from tickets.services import (
    TicketError,
    add_message,
    change_ticket_status,
    rate_ticket,
    send_staff_message,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/tickets/rating/([^/\s\"<>]+)/")


@pytest.fixture
def close(agent, django_capture_on_commit_callbacks):
    """Answer (unless told not to), resolve, then let the auto-close close it."""

    def run(ticket: Ticket, *, answered: bool = True) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            if answered:
                add_message(ticket, author=agent, body="Перезапустите службу.")
            change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)
            change_ticket_status(ticket, to=Ticket.Status.CLOSED, by=None)

    return run


@pytest.fixture
def closed(ticket, close) -> Ticket:
    close(ticket)
    return ticket


def _closing_mail(mailoutbox, ticket: Ticket):
    [mail] = [
        m
        for m in mailoutbox
        if m.to == [ticket.contact_email] and "на «Закрыта»" in m.body
    ]
    return mail


def _url(ticket: Ticket, user, score: int) -> str:
    return f"/tickets/rating/{rating_links.make_token(ticket, score=score, user=user)}/"


# The question in the closing e-mail.


def test_the_closing_email_has_five_links_in_text_and_html(
    closed, customer, mailoutbox
) -> None:
    mail = _closing_mail(mailoutbox, closed)
    html = mail.alternatives[0][0]

    in_text = LINK.findall(mail.body)
    in_html = LINK.findall(html)

    assert in_text == in_html
    links = [rating_links.read_token(token) for token in in_text]
    assert [link.score for link in links] == [5, 4, 3, 2, 1]
    assert {(link.ticket_code, link.user_id) for link in links} == {
        (closed.code, customer.pk)
    }
    # In HTML each is a link of its own, beside the ticket's.
    assert html.count('<a href="http') == 5 + 1


def test_each_copied_colleague_gets_links_of_their_own(
    ticket, colleague, close, mailoutbox
) -> None:
    ticket.cc.add(colleague)

    close(ticket)

    [mail] = [
        m for m in mailoutbox if m.to == [colleague.email] and "rating/" in m.body
    ]
    users = {rating_links.read_token(t).user_id for t in LINK.findall(mail.body)}
    assert users == {colleague.pk}


def test_resolving_does_not_ask_yet(ticket, agent, mailoutbox, close) -> None:
    """`rate_ticket` rates closed tickets: a resolved one may still reopen."""
    close(ticket)

    resolved = [m for m in mailoutbox if "на «Решена»" in m.body]

    assert resolved
    assert not any(LINK.search(m.body) for m in resolved)


def test_an_unanswered_ticket_is_never_asked(ticket, close, mailoutbox) -> None:
    close(ticket, answered=False)

    mail = _closing_mail(mailoutbox, ticket)

    assert not LINK.search(mail.body)
    assert not LINK.search(mail.alternatives[0][0])


def test_a_rated_ticket_closed_again_is_not_asked_again(
    closed, customer, agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    rate_ticket(closed, by=customer, score=4)
    with django_capture_on_commit_callbacks(execute=True):
        change_ticket_status(closed, to=Ticket.Status.OPEN, by=agent)
        change_ticket_status(closed, to=Ticket.Status.CLOSED, by=agent)

    last = [m for m in mailoutbox if m.to == [closed.contact_email]][-1]

    assert "на «Закрыта»" in last.body
    assert not LINK.search(last.body)


# "Send and set: Closed": the reply's own e-mail asks, once.


def test_a_reply_sent_with_closed_asks_in_its_own_email(
    staff_client,
    ticket,
    customer,
    colleague,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    ticket.cc.add(colleague)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            ticket.get_absolute_url(),
            {"body": "Перезапустите службу.", "then_status": "closed"},
        )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    # One e-mail each, the reply, which says the status and asks.
    for person in (customer, colleague):
        [mail] = [m for m in mailoutbox if m.to == [person.email]]
        assert "Перезапустите службу." in mail.body
        in_text = LINK.findall(mail.body)
        assert in_text == LINK.findall(mail.alternatives[0][0])
        links = [rating_links.read_token(token) for token in in_text]
        assert [link.score for link in links] == [5, 4, 3, 2, 1]
        assert {(link.ticket_code, link.user_id) for link in links} == {
            (ticket.code, person.pk)
        }


@pytest.mark.parametrize("status", ["waiting", "resolved"])
def test_a_reply_sent_with_another_status_does_not_ask(
    ticket, agent, status, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_staff_message(ticket, by=agent, body="Готово.", then_status=status)

    [mail] = [m for m in mailoutbox if m.to == [ticket.contact_email]]
    assert "Готово." in mail.body
    assert not LINK.search(mail.body)


def test_a_later_reply_to_the_closed_ticket_does_not_ask_again(
    ticket, agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_staff_message(ticket, by=agent, body="Закрываю.", then_status="closed")
        send_staff_message(ticket, by=agent, body="И ещё одно.")

    closing, later = [m for m in mailoutbox if m.to == [ticket.contact_email]]
    assert LINK.search(closing.body)
    assert "И ещё одно." in later.body
    assert not LINK.search(later.body)


# The page a link opens.


def test_opening_a_link_records_nothing(client, closed, customer) -> None:
    response = client.get(_url(closed, customer, 4))

    assert response.status_code == 200
    assert not SatisfactionRating.objects.exists()
    html = response.text
    assert 'id="rating-link-form"' in html
    assert "data-auto-submit" in html
    assert "js/rating-link" in html
    assert '<button type="submit">' in html  # for a reader without scripts


def test_posting_records_the_score_for_the_recipient(client, closed, customer) -> None:
    url = _url(closed, customer, 4)

    response = client.post(url, {"comment": ""})

    assert response.status_code == 302
    assert response["Location"] == url
    rating = SatisfactionRating.objects.get(ticket=closed)
    assert (rating.score, rating.rated_by, rating.channel) == (4, customer, "email")
    assert closed.events.filter(kind="rated", new_value="4").exists()
    again = client.get(url)
    assert 'id="rating-given"' in again.text
    assert 'id="rating-comment-form"' in again.text


def test_no_sign_in_is_needed_but_a_session_changes_nothing(
    client, closed, customer, agent
) -> None:
    """The token is the authority: staff signed in at that browser rate as
    the recipient, never as themselves."""
    client.force_login(agent)

    client.post(_url(closed, customer, 5))

    assert SatisfactionRating.objects.get(ticket=closed).rated_by == customer


def test_a_comment_is_added_once_after_the_score(client, closed, customer) -> None:
    url = _url(closed, customer, 3)
    client.post(url)

    empty = client.post(url, {"comment": " ", "add_comment": "1"})
    added = client.post(url, {"comment": "Долго, но помогли.", "add_comment": "1"})
    refused = client.post(url, {"comment": "Другое", "add_comment": "1"})
    reposted = client.post(url, {"comment": "Ещё раз"})  # the score's form again

    assert empty.status_code == 400
    assert added.status_code == 302
    assert refused.status_code == 400
    assert reposted.status_code == 302
    assert 'class="error-summary"' in refused.text
    assert SatisfactionRating.objects.get(ticket=closed).comment == (
        "Долго, но помогли."
    )


def test_score_and_comment_in_one_post_without_scripts(
    client, closed, customer
) -> None:
    client.post(_url(closed, customer, 5), {"comment": "Спасибо!"})

    rating = SatisfactionRating.objects.get(ticket=closed)
    assert (rating.score, rating.comment) == (5, "Спасибо!")


def test_a_too_long_comment_comes_back_kept(client, closed, customer) -> None:
    url = _url(closed, customer, 2)
    client.post(url)

    response = client.post(url, {"comment": "я" * 5001, "add_comment": "1"})

    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    assert "я" * 5001 in response.text
    assert SatisfactionRating.objects.get(ticket=closed).comment == ""


def test_a_tampered_token_is_refused_with_a_clear_page(
    client, closed, customer
) -> None:
    token = rating_links.make_token(closed, score=1, user=customer)
    payload, rest = token.split(":", 1)
    forged = signing.dumps(
        {"ticket": str(closed.code), "score": 5, "user": customer.pk},
        salt="another.salt",
    )

    for bad in (f"x{token}", f"{payload}A:{rest}", forged, "nonsense"):
        response = client.get(f"/tickets/rating/{bad}/")
        posted = client.post(f"/tickets/rating/{bad}/")

        assert response.status_code == posted.status_code == 400
        assert 'class="rating-link-refused"' in response.text
        assert 'href="/tickets/"' in response.text  # the way to the portal
    assert not SatisfactionRating.objects.exists()


def test_an_expired_link_is_refused(client, closed, customer, settings) -> None:
    settings.RATING_LINK_MAX_AGE_DAYS = 14
    url = _url(closed, customer, 5)

    with time_machine.travel(now() + datetime.timedelta(days=15)):
        response = client.post(url)

    assert response.status_code == 400
    assert 'class="rating-link-refused"' in response.text
    assert not SatisfactionRating.objects.exists()
    with time_machine.travel(now() + datetime.timedelta(days=13)):
        assert client.post(url).status_code == 302


def test_a_removed_contacts_link_stops_working(
    client, closed, customer, colleague
) -> None:
    closed.cc.add(colleague)
    url = _url(closed, colleague, 5)
    remove_contact(colleague.membership, by=customer)

    assert client.post(url).status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_a_link_to_an_unanswered_ticket_rates_nothing(
    client, ticket, customer, close
) -> None:
    close(ticket, answered=False)

    page = client.get(_url(ticket, customer, 5))
    posted = client.post(_url(ticket, customer, 5))

    assert page.status_code == 200
    assert "rating-link-form" not in page.text
    assert posted.status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_the_wrong_method_is_refused(client, closed, customer) -> None:
    assert client.put(_url(closed, customer, 5)).status_code == 405


# One rating per ticket, whatever the channel.


def test_a_link_after_the_portal_keeps_the_first_rating(
    client, closed, customer
) -> None:
    portal = Client()
    portal.force_login(customer)
    portal.post(f"/tickets/{closed.reference}/rate/", {"score": 2, "comment": ""})
    url = _url(closed, customer, 5)

    opened = client.get(url)
    client.post(url)

    rating = SatisfactionRating.objects.get(ticket=closed)
    assert (rating.score, rating.channel) == (2, "web")
    assert 'id="rating-given"' in opened.text
    assert "rating-link-form" not in opened.text
    # Still, the one who rated may add the comment the portal left empty.
    client.post(url, {"comment": "Плохо", "add_comment": "1"})
    assert SatisfactionRating.objects.get(ticket=closed).comment == "Плохо"


def test_a_colleague_may_not_comment_on_anothers_rating(
    client, ticket, colleague, customer, close
) -> None:
    ticket.cc.add(colleague)
    close(ticket)
    client.post(_url(ticket, customer, 4))

    response = client.post(
        _url(ticket, colleague, 1), {"comment": "Моё мнение", "add_comment": "1"}
    )

    assert response.status_code == 400
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.score, rating.rated_by, rating.comment) == (4, customer, "")


def test_the_service_refuses_a_second_rating_from_any_channel(
    closed, customer, colleague
) -> None:
    rate_ticket(closed, by=customer, score=5, channel=Ticket.Channel.TELEGRAM)

    with pytest.raises(TicketError):
        rate_ticket(closed, by=colleague, score=1, channel=Ticket.Channel.EMAIL)

    assert SatisfactionRating.objects.get(ticket=closed).score == 5


# Low ratings reach the supervisors.


@pytest.fixture
def supervisors(supervisor):
    other = _staff("supervisor2@support.example", StaffRole.SUPERVISOR)
    return supervisor, other


def _told(kind: str = Notification.Kind.LOW_RATING) -> set:
    return set(
        Notification.objects.filter(kind=kind).values_list(
            "recipient__email", flat=True
        )
    )


def test_a_low_rating_tells_every_supervisor_when_the_group_has_none(
    closed, customer, agent, supervisors
) -> None:
    group = SupportGroup.objects.create(name="Первая линия")
    group.members.add(agent)
    closed.group = group
    closed.save(update_fields=["group"])

    rate_ticket(closed, by=customer, score=2, comment="Долго")

    assert _told() == {s.email for s in supervisors}
    notification = Notification.objects.filter(kind="low_rating").first()
    assert (notification.ticket, notification.text) == (closed, "Долго")


def test_a_low_rating_tells_the_groups_own_supervisors(
    closed, customer, supervisors
) -> None:
    mine, _other = supervisors
    group = SupportGroup.objects.create(name="Вторая линия")
    group.members.add(mine)
    closed.group = group
    closed.save(update_fields=["group"])

    rate_ticket(closed, by=customer, score=1)

    assert _told() == {mine.email}


def test_a_good_rating_tells_nobody(closed, customer, supervisors) -> None:
    rate_ticket(closed, by=customer, score=3)

    assert not Notification.objects.exists()


def test_the_threshold_is_a_setting(closed, customer, supervisors, settings) -> None:
    settings.LOW_RATING_THRESHOLD = 3

    rate_ticket(closed, by=customer, score=3)

    assert _told() == {s.email for s in supervisors}


def test_a_low_rating_by_link_emails_the_supervisor(
    client, closed, customer, supervisor, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(closed, customer, 1))

    assert any(m.to == [supervisor.email] for m in mailoutbox)


# Ratings of unanswered tickets are never counted.


def test_only_answered_tickets_ratings_are_counted(
    closed, ticket, colleagues_ticket, customer, colleague, close
) -> None:
    rate_ticket(closed, by=customer, score=5)
    close(colleagues_ticket, answered=False)
    # Stored before the rule (or through the admin): never counted.
    SatisfactionRating.objects.create(ticket=colleagues_ticket, score=1)

    assert list(
        SatisfactionRating.objects.counted().values_list("score", flat=True)
    ) == [5]
