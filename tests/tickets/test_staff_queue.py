"""The staff queue: views, filters, paging, "Take" and bulk changes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from tests.auth import sign_in
from tests.factories import LicenceFactory, OrganisationFactory
from tests.schedule.support import msk
from tickets.models import Ticket, TicketEvent
from tickets.services import change_ticket_status, open_ticket, update_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sla_targets")]

QUEUE = "/staff/queue/"


def _file(contact, licence, subject: str = "Вопрос", **options: object) -> Ticket:
    options.setdefault("category", Ticket.Category.OTHER)
    return open_ticket(
        contact=contact, licence=licence, subject=subject, description="d", **options
    )


def _references(response) -> list[str]:
    return [row.reference for row in response.context["rows"]]


@pytest.fixture
def other_licence(other_organisation):
    return LicenceFactory(organisation=other_organisation, number="BETA-0001-AAAA-0001")


def test_a_visitor_is_sent_to_sign_in(client) -> None:
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_customer_gets_403(client, customer, active_licence) -> None:
    ticket = _file(customer, active_licence)
    sign_in(client, customer)

    assert client.get(QUEUE).status_code == 403
    assert client.post(f"{QUEUE}{ticket.reference}/take/").status_code == 403
    assert (
        client.post(f"{QUEUE}bulk/", {"tickets": [ticket.reference]}).status_code == 403
    )
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_the_queue_is_sorted_by_sla_due_time(
    staff_client, customer, agent, active_licence
) -> None:
    low = _file(customer, active_licence, "low", priority=Ticket.Priority.LOW)
    critical = _file(
        customer, active_licence, "crit", priority=Ticket.Priority.CRITICAL
    )
    normal = _file(customer, active_licence, "normal")
    solved = _file(customer, active_licence, "solved")
    change_ticket_status(solved, to=Ticket.Status.RESOLVED, by=agent)

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    assert _references(response) == [
        critical.reference,
        normal.reference,
        low.reference,
    ]
    assert response.context["rows"][0].clock.kind == "running"
    # The nav shows the queue to staff.
    assert 'href="/staff/queue/"' in response.content.decode()


def test_unassigned_mine_and_waiting(
    staff_client, customer, agent, supervisor, active_licence
) -> None:
    mine = _file(customer, active_licence, "mine")
    update_ticket(mine, by=agent, assignee=agent)
    theirs = _file(customer, active_licence, "theirs")
    update_ticket(theirs, by=supervisor, assignee=supervisor)
    nobodys = _file(customer, active_licence, "nobody's")
    waiting = _file(customer, active_licence, "waiting")
    change_ticket_status(waiting, to=Ticket.Status.WAITING, by=agent)

    assert set(_references(staff_client.get(QUEUE, {"view": "unassigned"}))) == {
        nobodys.reference,
        waiting.reference,
    }
    assert _references(staff_client.get(QUEUE, {"view": "mine"})) == [mine.reference]
    response = staff_client.get(QUEUE, {"view": "waiting"})
    assert _references(response) == [waiting.reference]
    assert response.context["rows"][0].clock.kind == "paused"
    assert 'class="sla-clock sla-paused"' in response.content.decode()


def test_breaching_sla_means_due_within_an_hour_or_overdue(
    staff_client, customer, agent, active_licence
) -> None:
    overdue = _file(customer, active_licence, "overdue")
    soon = _file(customer, active_licence, "soon")
    later = _file(customer, active_licence, "later")
    paused = _file(customer, active_licence, "paused")
    change_ticket_status(paused, to=Ticket.Status.WAITING, by=agent)
    moment = now()
    Ticket.objects.filter(pk=overdue.pk).update(
        sla_due_at=moment - datetime.timedelta(days=3)
    )
    Ticket.objects.filter(pk=soon.pk).update(
        sla_due_at=moment + datetime.timedelta(minutes=1)
    )
    Ticket.objects.filter(pk=later.pk).update(
        sla_due_at=moment + datetime.timedelta(days=30)
    )

    response = staff_client.get(QUEUE, {"view": "breaching"})

    assert _references(response) == [overdue.reference, soon.reference]
    assert response.context["rows"][0].clock.kind == "overdue"
    assert "sla-overdue" in response.content.decode()


def test_filters(
    staff_client, customer, outsider, agent, active_licence, other_licence
) -> None:
    phone = _file(
        customer,
        active_licence,
        "phone",
        channel=Ticket.Channel.PHONE,
        priority=Ticket.Priority.HIGH,
        category=Ticket.Category.LICENSING,
    )
    assigned = _file(customer, active_licence, "assigned")
    update_ticket(assigned, by=agent, assignee=agent)
    beta = _file(outsider, other_licence, "beta")
    change_ticket_status(beta, to=Ticket.Status.OPEN, by=agent)

    def listed(**filters: object) -> set[str]:
        return set(_references(staff_client.get(QUEUE, filters)))

    assert listed(channel="phone") == {phone.reference}
    assert listed(priority="high") == {phone.reference}
    assert listed(category="licensing") == {phone.reference}
    assert listed(organisation="Бета") == {beta.reference}
    assert listed(organisation=beta.organisation.tax_id) == {beta.reference}
    assert listed(organisation="нет такой") == set()
    assert listed(licence="beta-0001") == {beta.reference}
    assert listed(status="open") == {beta.reference}
    assert listed(assignee=agent.pk) == {assigned.reference}
    assert listed(assignee="none") == {phone.reference, beta.reference}
    assert listed(assignee="none", priority="high") == {phone.reference}
    # Nonsense is ignored rather than answered with an error.
    assert listed(priority="urgent", created_from="вчера", view="bogus") == {
        phone.reference,
        assigned.reference,
        beta.reference,
    }


def test_a_status_filter_within_each_view(
    staff_client, customer, agent, active_licence
) -> None:
    new = _file(customer, active_licence, "new")
    waiting = _file(customer, active_licence, "waiting")
    change_ticket_status(waiting, to=Ticket.Status.WAITING, by=agent)
    solved = _file(customer, active_licence, "solved")
    change_ticket_status(solved, to=Ticket.Status.RESOLVED, by=agent)

    def listed(**filters: object) -> set[str]:
        return set(_references(staff_client.get(QUEUE, filters)))

    assert listed(status="waiting") == {waiting.reference}
    assert listed(status="new", view="unassigned") == {new.reference}
    assert listed(status="new", view="waiting") == set()
    assert listed(status="resolved") == {new.reference, waiting.reference}


def test_a_status_filter_asks_for_the_status_once(staff_client) -> None:
    # "open" and "status = 'open'" together make PostgreSQL count the status
    # twice, expect a handful of rows and leave the queue's index (bench/README.md).
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(QUEUE, {"status": "open"})

    [tickets] = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "tickets_ticket"."id"')
    ]
    where = tickets.partition(" WHERE ")[2]
    assert where.count('"tickets_ticket"."status"') == 1


def test_the_page_does_not_list_every_organisation(
    staff_client, customer, active_licence
) -> None:
    _file(customer, active_licence)
    quiet = OrganisationFactory.create_batch(3)

    page = staff_client.get(QUEUE).content.decode()

    assert customer.membership.organisation.name in page
    assert not [organisation for organisation in quiet if organisation.name in page]


def test_both_assignee_lists_offer_every_active_member_of_staff(
    staff_client, agent, supervisor, customer, active_licence
) -> None:
    _file(customer, active_licence)
    supervisor.is_active = False
    supervisor.save(update_fields=["is_active"])

    page = staff_client.get(QUEUE).content.decode()

    option = f'<option value="{agent.pk}">{agent.full_name}</option>'
    assert page.count(option) == 2  # the filter and the bulk form
    assert f'<option value="{supervisor.pk}">' not in page


def test_keyset_pages_cover_every_ticket_once(
    staff_client, customer, active_licence, settings
) -> None:
    tickets = [_file(customer, active_licence, f"T{n}") for n in range(27)]
    # Three without a deadline come last.
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:3]]).update(sla_due_at=None)

    first = staff_client.get(QUEUE)
    assert len(first.context["rows"]) == 25
    assert first.context["next_url"]
    second = staff_client.get(QUEUE + first.context["next_url"])

    seen = _references(first) + _references(second)
    assert sorted(seen) == sorted(t.reference for t in tickets)
    assert not second.context["next_url"]
    assert second.context["first_url"]


def test_keyset_pages_go_on_within_one_shared_deadline(
    staff_client, customer, active_licence
) -> None:
    # Tickets filed while support is closed share their deadline.
    tickets = [_file(customer, active_licence, f"T{n}") for n in range(27)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        sla_due_at=tickets[0].sla_due_at
    )

    first = staff_client.get(QUEUE)
    second = staff_client.get(QUEUE + first.context["next_url"])

    assert _references(first) == [t.reference for t in tickets[:25]]
    assert _references(second) == [t.reference for t in tickets[25:]]


def test_a_broken_cursor_shows_the_first_page(
    staff_client, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence)

    response = staff_client.get(QUEUE, {"after": "yesterday_x"})

    assert _references(response) == [ticket.reference]


def test_take_assigns_the_ticket_to_me(
    staff_client, customer, agent, active_licence
) -> None:
    ticket = _file(customer, active_licence)

    response = staff_client.post(
        f"{QUEUE}{ticket.reference}/take/", {"next": "/staff/queue/?view=unassigned"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/queue/?view=unassigned"
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    event = ticket.events.get(kind=TicketEvent.Kind.ASSIGNEE)
    assert event.actor == agent


def test_take_refuses_a_ticket_a_colleague_took(
    staff_client, customer, supervisor, active_licence
) -> None:
    ticket = _file(customer, active_licence)
    update_ticket(ticket, by=supervisor, assignee=supervisor)

    response = staff_client.post(f"{QUEUE}{ticket.reference}/take/", follow=True)

    ticket.refresh_from_db()
    assert ticket.assignee == supervisor
    [message] = response.context["messages"]
    assert message.level_tag == "error"
    assert ticket.reference in str(message)


def test_take_needs_post_and_redirects_only_to_the_queue(
    staff_client, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence)

    assert staff_client.get(f"{QUEUE}{ticket.reference}/take/").status_code == 405
    response = staff_client.post(
        f"{QUEUE}{ticket.reference}/take/",
        {"next": "https://evil.example/staff/queue/"},
    )
    assert response["Location"] == QUEUE


def test_take_an_unknown_ticket_is_404(staff_client) -> None:
    assert staff_client.post(f"{QUEUE}HD-2000-000001/take/").status_code == 404


def test_bulk_assign(staff_client, customer, agent, supervisor, active_licence) -> None:
    first = _file(customer, active_licence, "1")
    second = _file(customer, active_licence, "2")

    response = staff_client.post(
        f"{QUEUE}bulk/",
        {
            "tickets": [first.reference, second.reference],
            "action": "assign",
            "assignee": supervisor.pk,
        },
    )

    assert response.status_code == 302
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.assignee == supervisor
        assert ticket.events.get(kind="assignee").actor == agent


def test_bulk_status_keeps_history_and_reports_what_could_not_change(
    staff_client, customer, agent, active_licence
) -> None:
    first = _file(customer, active_licence, "1")
    closed = _file(customer, active_licence, "closed")
    change_ticket_status(closed, to=Ticket.Status.CLOSED, by=agent)

    response = staff_client.post(
        f"{QUEUE}bulk/",
        {
            "tickets": [first.reference, closed.reference],
            "action": "status",
            "status": "waiting",
        },
        follow=True,
    )

    first.refresh_from_db()
    closed.refresh_from_db()
    assert first.status == Ticket.Status.WAITING
    assert first.sla_due_at is None
    assert first.events.filter(kind="status", new_value="waiting").exists()
    assert closed.status == Ticket.Status.CLOSED
    texts = [str(m) for m in response.context["messages"]]
    assert any(closed.reference in text for text in texts)


def test_bulk_priority_moves_the_deadline(
    staff_client, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence)
    before = ticket.sla_due_at

    staff_client.post(
        f"{QUEUE}bulk/",
        {"tickets": [ticket.reference], "action": "priority", "priority": "critical"},
    )

    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.CRITICAL
    assert ticket.sla_due_at < before
    assert ticket.events.filter(kind="priority").exists()


def test_bulk_without_a_value_changes_nothing(
    staff_client, customer, active_licence
) -> None:
    ticket = _file(customer, active_licence)

    response = staff_client.post(
        f"{QUEUE}bulk/", {"tickets": [ticket.reference], "action": "status"}
    )

    # The queue again, the error in words (tests/tickets/test_queue_filters_and_bulk_bar.py).
    assert response.status_code == 400
    assert "Выберите статус для заявок." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert staff_client.get(f"{QUEUE}bulk/").status_code == 405


def _queries(client, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == rows
    return len(captured)


@pytest.mark.parametrize("view", ["open", "unassigned", "breaching"])
def test_the_queue_costs_the_same_queries_for_1_or_30_tickets(
    staff_client,
    customer,
    outsider,
    agent,
    supervisor,
    active_licence,
    other_licence,
    view,
) -> None:
    overdue = now() - datetime.timedelta(hours=1)
    _file(customer, active_licence, "first")
    Ticket.objects.update(sla_due_at=overdue)
    url = f"{QUEUE}?view={view}"
    staff_client.get(url)
    with_one = _queries(staff_client, url, 1)

    for n in range(29):
        contact, licence = (
            (customer, active_licence) if n % 2 else (outsider, other_licence)
        )
        ticket = _file(contact, licence, f"T{n}")
        if n % 3 == 0:
            update_ticket(ticket, by=agent, assignee=agent if n % 2 else supervisor)
    Ticket.objects.update(sla_due_at=overdue)
    # Half the rows "customer answered": read from the row, no query of its own.
    answered = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))[::2]
    Ticket.objects.filter(pk__in=answered).update(
        staff_seen_at=overdue - datetime.timedelta(days=1)
    )

    with_thirty = _queries(staff_client, url, 25 if view != "unassigned" else 20)
    assert with_thirty == with_one
    assert with_one <= 12


def test_date_filters_take_whole_days_in_moscow(
    staff_client, customer, organisation
) -> None:
    licence = LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )
    # 23:30 in Moscow on 1 March is still 1 March, though 20:30 UTC.
    with time_machine.travel(msk(2026, 3, 1, 23, 30), tick=False):
        late = _file(customer, licence, "late")
    with time_machine.travel(msk(2026, 3, 2, 0, 30), tick=False):
        early = _file(customer, licence, "early")

    def listed(**filters: object) -> set[str]:
        return set(_references(staff_client.get(QUEUE, filters)))

    assert listed(created_to="2026-03-01") == {late.reference}
    assert listed(created_from="2026-03-02") == {early.reference}
    assert listed(created_from="2026-03-01", created_to="2026-03-02") == {
        late.reference,
        early.reference,
    }
    assert listed(updated_from="2026-03-03") == set()
