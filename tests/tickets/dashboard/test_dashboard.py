"""The supervisor dashboard: its figures on a known history, who may see it, its cost.

The history, filed and answered through the services with the clock set
(default targets, support hours, first response / resolution: critical 1/8,
high 4/24, normal 8/60, low 16/120; support Mon–Fri 07–19, Sat 09–16; 2026:
9 March and 9–11 May are holidays, 8 May closes at 18:00). "Now" is Wednesday
13 May 2026, 12:00 Moscow time.

    ticket  priority channel   filed             first reply         support  target  solved
    T1      high     web       Fri 13.03 18:30   Mon 16.03 07:30     8 h      missed  Tue 17.03 10:00, 22.5 h: met
    T2      critical e-mail    Fri 08.05 18:30   Tue 12.05 09:00     2 h      missed  Tue 12.05 14:00, 7 h: met
    T3      normal   phone     Tue 12.05 10:00   10:30 (a call)      0.5 h    met     Wed 13.05 11:00, 13 h: met
    T4      low      web       Mon 11.05 12:00   Tue 12.05 08:00     1 h      met     —
    T5      normal   telegram  Tue 12.05 11:00   Wed 13.05 08:00     9 h      missed  — (waiting)
    T6      critical web       Mon 04.05 10:00   10:30               0.5 h    met     Tue 05.05 12:00, 14 h: missed
    T7      high     e-mail    Wed 13.05 11:30   —

T1 was closed and rated 2 on 18 March, T3 closed and rated 5 on 13 May.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in
from tests.factories import LicenceFactory
from tests.schedule.support import msk
from tickets.dashboard import figures as dashboard
from tickets.dashboard.figures import refresh_dashboard
from tickets.models import Ticket
from tickets.services import (
    add_message,
    change_ticket_status,
    close_ticket,
    open_ticket,
    rate_ticket,
    tag_ticket,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]

URL = "/staff/dashboard/"
NOW = msk(2026, 5, 13, 12)
HOUR = 3600


@pytest.fixture(autouse=True)
def _no_snapshot() -> None:
    """The snapshot lives in the process's cache, across tests."""
    cache.delete(dashboard.CACHE_KEY)


@pytest.fixture
def licence(organisation):
    return LicenceFactory(
        organisation=organisation, purchased_on=datetime.date(2026, 1, 1)
    )


def _file(customer, licence, at, priority: str, channel: str) -> Ticket:
    with time_machine.travel(at, tick=False):
        return open_ticket(
            contact=customer,
            licence=licence,
            subject="Вопрос",
            description="Текст",
            category=Ticket.Category.OTHER,
            priority=priority,
            channel=channel,
        )


def _reply(ticket: Ticket, agent, at, **options: object) -> None:
    with time_machine.travel(at, tick=False):
        add_message(ticket, author=agent, body="Ответ", **options)


def _solve(ticket: Ticket, agent, at) -> None:
    with time_machine.travel(at, tick=False):
        change_ticket_status(ticket, to=Ticket.Status.RESOLVED, by=agent)


def _close_and_rate(ticket: Ticket, customer, at, score: int) -> None:
    with time_machine.travel(at, tick=False):
        close_ticket(ticket, by=customer)
        rate_ticket(ticket, by=customer, score=score)


@pytest.fixture
def history(customer, agent, licence) -> dict[str, Ticket]:
    web, email = Ticket.Channel.WEB, Ticket.Channel.EMAIL
    phone, telegram = Ticket.Channel.PHONE, Ticket.Channel.TELEGRAM
    p = Ticket.Priority
    t1 = _file(customer, licence, msk(2026, 3, 13, 18, 30), p.HIGH, web)
    _reply(t1, agent, msk(2026, 3, 16, 7, 30))
    _solve(t1, agent, msk(2026, 3, 17, 10))
    _close_and_rate(t1, customer, msk(2026, 3, 18, 9), 2)
    t6 = _file(customer, licence, msk(2026, 5, 4, 10), p.CRITICAL, web)
    _reply(t6, agent, msk(2026, 5, 4, 10, 30))
    _solve(t6, agent, msk(2026, 5, 5, 12))
    t2 = _file(customer, licence, msk(2026, 5, 8, 18, 30), p.CRITICAL, email)
    t4 = _file(customer, licence, msk(2026, 5, 11, 12), p.LOW, web)
    t3 = _file(customer, licence, msk(2026, 5, 12, 10), p.NORMAL, phone)
    t5 = _file(customer, licence, msk(2026, 5, 12, 11), p.NORMAL, telegram)
    _reply(t4, agent, msk(2026, 5, 12, 8))
    _reply(t2, agent, msk(2026, 5, 12, 9))
    _reply(t3, agent, msk(2026, 5, 12, 10, 30), channel=phone)
    _solve(t2, agent, msk(2026, 5, 12, 14))
    _reply(t5, agent, msk(2026, 5, 13, 8), new_status=Ticket.Status.WAITING)
    _solve(t3, agent, msk(2026, 5, 13, 11))
    _close_and_rate(t3, customer, msk(2026, 5, 13, 11, 30), 5)
    t7 = _file(customer, licence, msk(2026, 5, 13, 11, 30), p.HIGH, email)
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6, "t7": t7}


@pytest.fixture
def figures(history) -> dashboard.Dashboard:
    return dashboard.build(NOW)


def _week(figures: dashboard.Dashboard, monday: datetime.date) -> dashboard.Week:
    return next(week for week in figures.weeks if week.starts_on == monday)


def test_open_tickets_are_counted_by_status_and_priority(figures) -> None:
    assert figures.open_tickets.counts == {
        ("new", "high"): 1,  # T7
        ("open", "low"): 1,  # T4
        ("waiting", "normal"): 1,  # T5
    }
    assert figures.open_tickets.total == 3
    assert figures.open_tickets.by_priority("normal") == 1


def test_tickets_per_day_by_channel_show_every_day_of_thirty(figures) -> None:
    daily = figures.daily

    assert len(daily.days) == 30
    assert (daily.days[0], daily.days[-1]) == (
        datetime.date(2026, 4, 14),
        datetime.date(2026, 5, 13),
    )
    assert daily.counts == {
        (datetime.date(2026, 5, 4), "web"): 1,  # T6
        (datetime.date(2026, 5, 8), "email"): 1,  # T2, filed 18:30 Moscow time
        (datetime.date(2026, 5, 11), "web"): 1,  # T4
        (datetime.date(2026, 5, 12), "phone"): 1,  # T3
        (datetime.date(2026, 5, 12), "telegram"): 1,  # T5
        (datetime.date(2026, 5, 13), "email"): 1,  # T7
    }
    assert daily.on(datetime.date(2026, 4, 14)) == 0
    assert daily.total == 6  # T1 was filed in March


def test_first_responses_median_support_time_and_compliance_per_week(
    figures,
) -> None:
    assert [week.starts_on for week in figures.weeks] == [
        datetime.date(2026, 2, 23) + datetime.timedelta(weeks=n) for n in range(12)
    ]
    # T1 alone: eight support hours over a weekend, high priority's four missed.
    march = _week(figures, datetime.date(2026, 3, 16)).first_responses
    assert march.median_seconds == 8 * HOUR
    assert march.compliance == dashboard.Compliance(total=1, judged=1, met=0)
    # T6 alone.
    may_4 = _week(figures, datetime.date(2026, 5, 4)).first_responses
    assert may_4.median_seconds == 0.5 * HOUR
    # T3 0.5 h, T4 1 h, T2 2 h across the May holidays, T5 9 h: between 1 and 2.
    may_11 = _week(figures, datetime.date(2026, 5, 11)).first_responses
    assert may_11.median_seconds == 1.5 * HOUR
    assert may_11.median == datetime.timedelta(hours=1, minutes=30)
    assert may_11.compliance == dashboard.Compliance(total=4, judged=4, met=2)
    empty = _week(figures, datetime.date(2026, 4, 13)).first_responses
    assert (empty.median, empty.compliance.percent) == (None, None)


def test_the_last_thirty_days_of_first_responses(figures) -> None:
    # T6 0.5, T3 0.5, T4 1, T2 2, T5 9: T1's March reply is outside.
    assert figures.first_responses.median_seconds == 1 * HOUR
    assert figures.first_responses.compliance == dashboard.Compliance(5, 5, 3)
    assert figures.first_responses.compliance.percent == 60


def test_sla_compliance_of_solved_tickets_per_week(figures) -> None:
    assert _week(figures, datetime.date(2026, 3, 16)).solved == dashboard.Compliance(
        1, 1, 1
    )
    # T1 was closed in the week of 16 March; it counts where it was solved.
    assert _week(figures, datetime.date(2026, 3, 23)).solved.total == 0
    assert _week(figures, datetime.date(2026, 5, 4)).solved == dashboard.Compliance(
        1, 1, 0
    )
    assert _week(figures, datetime.date(2026, 5, 11)).solved == dashboard.Compliance(
        2, 2, 2
    )
    assert figures.solved == dashboard.Compliance(3, 3, 2)


def test_satisfaction_ratings_recent_and_all_time(figures) -> None:
    ratings = figures.ratings

    assert ratings.recent == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
    assert ratings.all_time == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert (ratings.recent_average, ratings.all_time_average) == (5, 3.5)


def test_tags_count_recent_filings_and_unsolved_tickets(
    client, supervisor, history, agent
) -> None:
    # t1 was filed in March; t4, t5 and t7 are unsolved; t2, t3, t6 solved.
    for name, tags in {
        "t1": ["лицензия"],
        "t2": ["vpn"],
        "t4": ["vpn", "печать"],
        "t5": ["vpn"],
        "t6": ["печать"],
        "t7": ["лицензия"],
    }.items():
        tag_ticket(history[name], by=agent, add=tags)

    figures = dashboard.build(NOW)

    assert [(t.name, t.filed, t.open) for t in figures.tags] == [
        ("vpn", 3, 2),
        ("печать", 2, 1),
        ("лицензия", 1, 1),
    ]
    sign_in(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL).content.decode()
    # Each unsolved count opens the queue filtered by its tag.
    assert 'href="/staff/queue/?tag=vpn">2</a>' in page
    assert 'href="/staff/queue/?tag=%D0%BF%D0%B5%D1%87%D0%B0%D1%82%D1%8C">1</a>' in page


def test_an_empty_desk_shows_zeros_and_no_medians(db) -> None:
    figures = dashboard.build(NOW)

    assert figures.open_tickets.total == figures.daily.total == 0
    assert len(figures.daily.days) == 30
    assert figures.first_responses.median is None
    assert figures.solved.percent is None
    assert figures.ratings.recent_average is None
    assert figures.tags == ()


def test_the_median_outside_postgresql_is_percentile_cont() -> None:
    assert dashboard.median_in_python([]) is None
    assert dashboard.median_in_python([None, 7]) == 7
    assert dashboard.median_in_python([9, 1, 2]) == 2
    assert dashboard.median_in_python([9, 1, 2, 1800]) == 5.5


def test_a_supervisor_sees_the_figures_as_charts_and_tables(
    client, supervisor, history
) -> None:
    sign_in(client, supervisor)

    with time_machine.travel(NOW, tick=False):
        response = client.get(URL)

    assert response.status_code == 200
    assert response.context["figures"] == dashboard.build(NOW)
    page = response.content.decode()
    assert page.count('<svg class="chart') == 5
    assert "<script" not in page.split("<main", 1)[1]
    assert ' style="' not in page
    # The open tickets' table: waiting, normal priority, and its total.
    open_rows = {row.label: row for row in response.context["open_rows"]}
    assert open_rows[str(Ticket.Status.WAITING.label)].cells == (0, 0, 1, 0)
    assert response.context["open_total"].total == 3
    daily_rows = response.context["daily_rows"]
    assert len(daily_rows) == 30
    assert daily_rows[-2].cells == (0, 0, 1, 1)  # 12 May: a call and a Telegram
    assert f'href="{URL}"' in page


def test_the_bars_open_the_tickets_behind_them_in_the_queue(
    client, supervisor, history
) -> None:
    sign_in(client, supervisor)
    # Not the search box's example number.
    filed = set(Ticket.objects.values_list("reference", flat=True))
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL).content.decode()
        links = re.findall(
            r'<a href="(/staff/queue/\?[^"]+)"[^>]*><(?:rect|circle)', page
        )
        listed = {
            url: set(
                re.findall(
                    r"HD-\d{4}-\d{6}", client.get(unescape(url)).content.decode()
                )
            )
            & filed
            for url in links
        }

    telegram_12_may = (
        "/staff/queue/?view=all&amp;channel=telegram"
        "&amp;created_from=2026-05-12&amp;created_to=2026-05-12"
    )
    waiting_normal = "/staff/queue/?status=waiting&amp;priority=normal"
    assert listed[telegram_12_may] == {history["t5"].reference}
    assert listed[waiting_normal] == {history["t5"].reference}
    # Six tickets filed in thirty days, three unsolved: a bar for each.
    assert len([url for url in links if "created_from" in url]) == 6
    assert len([url for url in links if "status=" in url]) == 3
    # The week of 11 May: T4, T2 and T3 answered on the 12th, T5 on the
    # 13th; T2 and T3 solved; T3 rated 5 (T1's 2 was in March).
    week = "&amp;{}_from=2026-05-11&amp;{}_to=2026-05-17"
    replied = "/staff/queue/?view=all" + week.format("replied", "replied")
    solved = "/staff/queue/?view=all" + week.format("solved", "solved")
    assert links.count(replied) == 2  # the median's bar, compliance's point
    assert listed[replied] == {history[t].reference for t in ("t2", "t3", "t4", "t5")}
    assert listed[solved] == {history["t2"].reference, history["t3"].reference}
    [rated] = [url for url in links if "rating=" in url]
    assert "rating=5" in rated
    assert listed[rated] == {history["t3"].reference}


@pytest.mark.parametrize("role", ["admin_user", "supervisor"])
def test_supervisors_and_administrators_may_see_it(client, request, role) -> None:
    sign_in(client, request.getfixturevalue(role))

    response = client.get(URL)

    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


def test_an_agent_gets_403_and_no_link(client, agent) -> None:
    sign_in(client, agent)

    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/staff/queue/").content.decode()


def test_a_customer_gets_403(client, customer) -> None:
    sign_in(client, customer)

    assert client.get(URL).status_code == 403


def test_post_is_not_allowed(client, supervisor) -> None:
    sign_in(client, supervisor)

    assert client.post(URL).status_code == 405


def _busy_desk(customer, agent, licence, count: int) -> None:
    """`count` tickets over the last weeks: every channel and priority, answered,
    solved, closed and rated in turn."""
    channels, priorities = Ticket.Channel.values, Ticket.Priority.values
    for n in range(count):
        at = NOW - datetime.timedelta(days=n % 40, hours=n % 5)
        ticket = _file(
            customer, licence, at, priorities[n % 4], channels[n % len(channels)]
        )
        if n % 3:
            _reply(ticket, agent, at + datetime.timedelta(minutes=20))
        if n % 3 == 2:
            _solve(ticket, agent, at + datetime.timedelta(minutes=40))
            _close_and_rate(
                ticket, customer, at + datetime.timedelta(hours=1), n % 5 + 1
            )


def _queries(client, *, snapshot: bool) -> int:
    if not snapshot:
        cache.delete(dashboard.CACHE_KEY)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_tickets(
    client, supervisor, customer, agent, licence
) -> None:
    sign_in(client, supervisor)
    _busy_desk(customer, agent, licence, 3)
    with time_machine.travel(NOW, tick=False):
        client.get(URL)  # the support calendar is loaded once per process
        with_three = _queries(client, snapshot=False), _queries(client, snapshot=True)
        with CaptureQueriesContext(connection) as building:
            dashboard.build(NOW)
        # Counted now: the connection keeps the last 9000 queries only.
        build_queries = len(building)

    _busy_desk(customer, agent, licence, 27)
    with time_machine.travel(NOW, tick=False):
        # The low ratings among them notified the supervisor: the header's
        # unread count is read into the cache once.
        client.get(URL)
        with_thirty = _queries(client, snapshot=False), _queries(client, snapshot=True)

    assert Ticket.objects.count() == 30
    assert with_thirty == with_three
    # Computing the figures costs eight queries; a snapshot saves seven.
    assert build_queries == 8
    assert with_three[0] - with_three[1] == 7


def test_the_page_shows_a_snapshot_of_the_last_minute_and_open_tickets_now(
    client, supervisor, customer, history, licence
) -> None:
    sign_in(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        client.get(URL)
    later = NOW + datetime.timedelta(seconds=30)
    _file(customer, licence, later, Ticket.Priority.LOW, Ticket.Channel.WEB)

    with time_machine.travel(later, tick=False):
        response = client.get(URL)

    shown = response.context["figures"]
    assert shown.at == NOW
    assert shown.daily.total == 6  # as of the snapshot
    assert shown.open_tickets.total == 4  # as of now
    assert "13.05.2026 12:00" in response.content.decode()

    refreshed_at = NOW + datetime.timedelta(minutes=1)
    with time_machine.travel(refreshed_at, tick=False):
        refresh_dashboard.delay()
        shown = client.get(URL).context["figures"]
    assert (shown.at, shown.daily.total) == (refreshed_at, 7)


def test_a_snapshot_too_old_is_not_shown(client, supervisor, history) -> None:
    sign_in(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        client.get(URL)

    # The beat task stopped: the page computes the figures itself.
    stale = NOW + dashboard.MAX_AGE + datetime.timedelta(seconds=1)
    with time_machine.travel(stale, tick=False):
        shown = client.get(URL).context["figures"]

    assert shown.at == stale
    assert shown == dashboard.build(stale)
