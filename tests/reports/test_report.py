"""Supervisors' reports on the dashboard's known history (see
tests/tickets/dashboard/test_dashboard.py: tickets across weekends and the
May holidays, with hand-computed support times), grouped, compared with the
period before, drilled down to the queue and exported."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape

import pytest
import time_machine

from audit.models import AuditEntry
from reports.charts import spans
from reports.figures import Figures, Period, backlog, figures_by, report
from tests.auth import sign_in
from tests.schedule.support import msk
from tickets.models import SatisfactionRating, Ticket
from tickets.services import add_message

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]

HOUR = 3600
MAY = Period(datetime.date(2026, 5, 1), datetime.date(2026, 5, 13))
NOW = msk(2026, 5, 13, 12)
URL = "/staff/reports/"
MAY_QUERY = {"first": "2026-05-01", "last": "2026-05-13"}
WEEK = datetime.timedelta(days=6)


def test_a_period_s_figures_are_those_of_the_tickets_filed_in_it(history) -> None:
    # T6, T2, T4, T3, T5 and T7; T1 was filed in March.
    may = figures_by(MAY, None)[None]

    # First replies: T6 0.5 h, T3 0.5 h, T4 1 h, T2 2 h (across the
    # holidays), T5 9 h; T7 has none. Met: T6, T3, T4.
    assert may == Figures(
        tickets=6,
        solved=3,
        first_response_median=1 * HOUR,
        first_response_judged=5,
        first_response_met=3,
        # T6 missed its 8 hours; T2 and T3 were solved in time.
        resolution_judged=3,
        resolution_met=2,
        # T2 7 h (12 May 7:00-14:00), T3 13 h (9 + 4), T6 14 h (9 + 5).
        resolution_median=13 * HOUR,
        # One reply each to T2-T6; T7 has none.
        replies=5,
        rated=1,
        score_total=5,
    )
    assert may.first_response_share == 0.6
    assert may.replies_per_ticket == 5 / 6
    assert may.score == 5


def test_rows_by_channel_and_the_period_before(history) -> None:
    shown = report(MAY, "channel")

    rows = {row.key: row.now for row in shown.rows}
    assert [row.key for row in shown.rows] == ["email", "web", "phone", "telegram"]
    assert rows["web"] == Figures(
        tickets=2,
        solved=1,
        first_response_median=0.75 * HOUR,
        first_response_judged=2,
        first_response_met=2,
        resolution_judged=1,
        resolution_met=0,
        resolution_median=14 * HOUR,
        replies=2,
    )
    assert rows["email"].first_response_median == 2 * HOUR
    assert (rows["email"].tickets, rows["email"].first_response_judged) == (2, 1)
    assert (rows["phone"].rated, rows["phone"].score) == (1, 5)
    assert rows["telegram"].first_response_share == 0
    # 18 to 30 April: nothing was filed.
    assert shown.period.previous() == Period(
        datetime.date(2026, 4, 18), datetime.date(2026, 4, 30)
    )
    assert all(row.before == Figures() for row in shown.rows)
    assert shown.total.now.tickets == 6
    assert shown.total.before.tickets == 0


def test_march_holds_t1_alone(history) -> None:
    march = figures_by(
        Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)), None
    )
    # Eight support hours over the weekend; rated 2.
    assert march[None] == Figures(
        tickets=1,
        solved=1,
        first_response_median=8 * HOUR,
        first_response_judged=1,
        first_response_met=0,
        resolution_judged=1,
        resolution_met=1,
        # 0.5 h on Friday, 7 on Saturday, 12 on Monday, 3 on Tuesday.
        resolution_median=22.5 * HOUR,
        replies=1,
        rated=1,
        score_total=2,
    )


def test_a_rating_of_a_ticket_nobody_answered_is_not_counted(history, customer) -> None:
    SatisfactionRating.objects.create(ticket=history["t7"], score=1, rated_by=customer)

    may = figures_by(MAY, None)[None]

    assert (may.rated, may.score) == (1, 5)
    assert (
        SatisfactionRating.objects.counted().filter(ticket=history["t7"]).count() == 0
    )


def _references(html: str) -> set[str]:
    """The tickets a page lists (not a placeholder's example number)."""
    filed = set(Ticket.objects.values_list("reference", flat=True))
    return set(re.findall(r"HD-\d{4}-\d{6}", html)) & filed


def test_each_row_links_to_its_tickets_in_the_queue(
    client, history, supervisor
) -> None:
    sign_in(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        page = client.get(
            URL, {"first": "2026-05-01", "last": "2026-05-13", "by": "channel"}
        )
        assert page.status_code == 200
        html = page.content.decode()
        links = dict(
            re.findall(r'<th scope="row">([^<]+)</th>\s*<td><a href="([^"]+)"', html)
        )
        email = client.get(links[str(Ticket.Channel.EMAIL.label)].replace("&amp;", "&"))
        everything = re.search(r'class="kpi-value" href="([^"]+)"', html).group(1)
        every_ticket = client.get(everything.replace("&amp;", "&"))

    # T2 is solved, T7 open: the queue's "all" view lists both.
    assert _references(email.content.decode()) == {
        history["t2"].reference,
        history["t7"].reference,
    }
    assert _references(every_ticket.content.decode()) == {
        history[name].reference for name in ("t2", "t3", "t4", "t5", "t6", "t7")
    }


def test_the_table_exports_as_csv(client, history, supervisor) -> None:
    sign_in(client, supervisor)
    query = {"first": "2026-05-01", "last": "2026-05-13", "by": "channel"}
    with time_machine.travel(NOW, tick=False):
        table = client.get(URL + "report.csv", query)

    assert table["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(b"".join(table.streaming_content).decode())))
    assert lines[0][0].startswith("\ufeff")
    by_name = {line[0]: line for line in lines[1:]}
    web = by_name[str(Ticket.Channel.WEB.label)]
    # Tickets and the period before, solved and before, the median in hours.
    assert web[1:7] == ["2", "0", "1", "0", "0.75", ""]
    # The median resolution (T6, 14 h) and replies per ticket (2 for 2).
    assert (web[9], web[13]) == ("14.0", "1.0")
    assert len(lines) == 1 + 4 + 1
    [export] = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert (export.actor, export.data["export"]) == (supervisor, "report.csv")


def test_a_wrong_period_is_said_and_keeps_what_was_typed(client, supervisor) -> None:
    sign_in(client, supervisor)

    backwards = client.get(
        URL, {"first": "2026-05-13", "last": "2026-05-01", "by": "group"}
    )
    too_long = client.get(
        URL + "report.csv", {"first": "2020-01-01", "last": "2026-05-01"}
    )

    assert backwards.status_code == 400
    html = backwards.content.decode()
    assert 'value="2026-05-13"' in html
    assert 'value="2026-05-01"' in html
    assert 'role="alert"' in html
    assert too_long.status_code == 400


def test_only_who_may_see_the_dashboard_sees_reports(client, agent, customer) -> None:
    for user in (agent, customer):
        sign_in(client, user)
        for path in (URL, URL + "report.csv", URL + "report.xlsx"):
            assert client.get(path).status_code in (302, 403), (user, path)


def _backlog(days) -> dict[int, tuple[int, int, int, int]]:
    return {
        day.date.day: (day.filed, day.solved, day.reopened, day.backlog) for day in days
    }


def test_the_backlog_day_by_day_as_it_was_then(history) -> None:
    days = backlog(MAY)

    assert [day.date for day in days] == [
        datetime.date(2026, 5, d) for d in range(1, 14)
    ]
    # T1 was closed in March: nothing was left when May began.
    assert _backlog(days) == {
        1: (0, 0, 0, 0),
        2: (0, 0, 0, 0),
        3: (0, 0, 0, 0),
        4: (1, 0, 0, 1),  # T6 filed
        5: (0, 1, 0, 0),  # T6 solved
        6: (0, 0, 0, 0),
        7: (0, 0, 0, 0),
        8: (1, 0, 0, 1),  # T2
        9: (0, 0, 0, 1),
        10: (0, 0, 0, 1),
        11: (1, 0, 0, 2),  # T4
        12: (2, 1, 0, 3),  # T3 and T5 filed, T2 solved
        13: (1, 1, 0, 3),  # T7 filed, T3 solved (then closed: no change)
    }
    assert days[-1].backlog == Ticket.objects.open().count()


def test_a_reopened_ticket_leaves_the_backlog_and_comes_back(history, customer) -> None:
    # T6, solved on 5 May, is reopened by its customer on the 13th.
    with time_machine.travel(msk(2026, 5, 13, 12), tick=False):
        add_message(history["t6"], author=customer, body="Снова не работает")

    days = _backlog(backlog(MAY))

    assert days[5] == (0, 1, 0, 0)
    assert days[12][3] == 3
    assert days[13] == (1, 1, 1, 4)
    assert Ticket.objects.open().count() == 4


def test_the_charts_link_each_bar_to_the_tickets_filed_then(
    client, history, supervisor
) -> None:
    sign_in(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        html = client.get(
            URL, {"first": "2026-05-01", "last": "2026-05-13", "by": "agent"}
        ).content.decode()
        bars = re.findall(r'<a href="([^"]+)"[^>]*><rect class="tone-brand"', html)
        twelfth = next(url for url in bars if "created_from=2026-05-12" in url)
        listed = client.get(twelfth.replace("&amp;", "&")).content.decode()

    # A bar for each day something was filed: 4, 8, 11, 12 and 13 May.
    assert len(bars) == 5
    assert _references(listed) == {history["t3"].reference, history["t5"].reference}
    assert 'id="chart-backlog-title"' in html


def test_a_long_period_is_drawn_a_week_to_a_bar(history) -> None:
    year = Period(datetime.date(2025, 5, 14), datetime.date(2026, 5, 13))

    drawn = spans(backlog(year))

    assert len(drawn) == 53
    assert (drawn[0].first, drawn[0].last) == (year.first, year.first + WEEK)
    assert drawn[-1].last == year.last
    assert sum(span.filed for span in drawn) == 7
    assert drawn[-1].backlog == 3


def test_a_page_compares_its_rows_by_their_counts_alone(history) -> None:
    # T1, filed on 13 March, is in the period before.
    march = Period(datetime.date(2026, 3, 13), datetime.date(2026, 4, 11))
    april = Period(datetime.date(2026, 4, 12), datetime.date(2026, 5, 11))

    full = report(april, "channel")
    light = report(april, "channel", rows_before=False)

    assert april.previous() == march
    assert [row.before.tickets for row in light.rows] == [
        row.before.tickets for row in full.rows
    ]
    web = next(row for row in full.rows if row.key == "web")
    assert web.before.first_response_median == 8 * HOUR
    assert next(row for row in light.rows if row.key == "web").before == Figures(
        tickets=1
    )
    assert light.total == full.total


def test_each_point_of_the_backlog_opens_the_tickets_unsolved_then(
    client, history, supervisor, customer
) -> None:
    filed = set(Ticket.objects.values_list("reference", flat=True))
    # T6, solved on 5 May, is reopened on the 13th: on the 12th it was
    # solved, on the 13th it is back.
    with time_machine.travel(msk(2026, 5, 13, 11, 45), tick=False):
        add_message(history["t6"], author=customer, body="Снова не работает")
    sign_in(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        html = client.get(URL, {**MAY_QUERY, "by": "agent"}).content.decode()
        points = dict(
            re.findall(
                r'<a href="([^"]+unsolved_on=2026-05-(\d\d))"[^>]*><circle', html
            )
        )
        pages = {
            day: client.get(unescape(url)).content.decode()
            for url, day in points.items()
        }
    listed = {
        day: set(re.findall(r"HD-\d{4}-\d{6}", page)) & filed
        for day, page in pages.items()
    }

    def ref(*names: str) -> set[str]:
        return {history[name].reference for name in names}

    assert len(listed) == 13
    # The queue names the filter it was opened with, to remove it.
    assert "Не решены на конец дня: 12.05.2026" in pages["12"]
    assert listed["04"] == ref("t6")
    assert listed["05"] == set()
    assert listed["12"] == ref("t3", "t4", "t5")
    assert listed["13"] == ref("t4", "t5", "t6", "t7")
    # Each point lists as many tickets as the backlog counts.
    assert {day: len(found) for day, found in listed.items()} == {
        f"{day.date.day:02d}": day.backlog for day in backlog(MAY)
    }


def test_a_row_s_own_charts_count_and_open_its_tickets(
    client, history, supervisor
) -> None:
    filed = set(Ticket.objects.values_list("reference", flat=True))
    # The web tickets: T6 filed on 4 May and solved on the 5th, T4 filed
    # on the 11th and still open.
    assert _backlog(backlog(MAY, field="channel", key="web")) == {
        **{d: (0, 0, 0, 0) for d in (1, 2, 3)},
        4: (1, 0, 0, 1),
        **{d: (0, 1, 0, 0) if d == 5 else (0, 0, 0, 0) for d in range(5, 11)},
        **{d: (1, 0, 0, 1) if d == 11 else (0, 0, 0, 1) for d in (11, 12, 13)},
    }
    sign_in(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL, {**MAY_QUERY, "by": "channel"}).content.decode()
        [web_charts] = re.findall(r'href="([^"]+row=web)#charts"', page)
        html = client.get(unescape(web_charts)).content.decode()
        [twelfth] = re.findall(r'<a href="([^"]+unsolved_on=2026-05-12[^"]*)"', html)
        listed = set(
            re.findall(
                r"HD-\d{4}-\d{6}", client.get(unescape(twelfth)).content.decode()
            )
        )

    assert "channel=web" in twelfth
    assert listed & filed == {history["t4"].reference}
    assert 'aria-current="true"' in html
