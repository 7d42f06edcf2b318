"""Supervisors' reports on the dashboard's known history (see
tests/tickets/dashboard/test_dashboard.py: tickets across weekends and the
May holidays, with hand-computed support times), grouped, compared with the
period before, drilled down to the queue and exported."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
import time_machine

from audit.models import AuditEntry
from reports.figures import Figures, Period, figures_by, report
from tests.auth import sign_in
from tests.schedule.support import msk
from tickets.models import SatisfactionRating, Ticket

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]

HOUR = 3600
MAY = Period(datetime.date(2026, 5, 1), datetime.date(2026, 5, 13))
NOW = msk(2026, 5, 13, 12)
URL = "/staff/reports/"


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
        rated=1,
        score_total=5,
    )
    assert may.first_response_share == 0.6
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


def test_the_table_and_its_tickets_export_as_csv(client, history, supervisor) -> None:
    sign_in(client, supervisor)
    query = {"first": "2026-05-01", "last": "2026-05-13", "by": "channel"}
    with time_machine.travel(NOW, tick=False):
        table = client.get(URL + "report.csv", query)
        tickets = client.get(URL + "tickets.csv", query)

    assert table["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(b"".join(table.streaming_content).decode())))
    assert lines[0][0].startswith("\ufeff")
    by_name = {line[0]: line for line in lines[1:]}
    web = by_name[str(Ticket.Channel.WEB.label)]
    # Tickets and the period before, solved and before, the median in hours.
    assert web[1:7] == ["2", "0", "1", "0", "0.75", ""]
    assert len(lines) == 1 + 4 + 1

    rows = list(csv.reader(io.StringIO(b"".join(tickets.streaming_content).decode())))
    assert len(rows) == 1 + 6
    assert {row[0] for row in rows[1:]} == {
        history[name].reference for name in ("t2", "t3", "t4", "t5", "t6", "t7")
    }
    exports = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert sorted(exports.values_list("data__export", flat=True)) == [
        "report",
        "tickets",
    ]
    assert {entry.actor for entry in exports} == {supervisor}
    t3 = next(row for row in rows if row[0] == history["t3"].reference)
    assert t3[1] == "2026-05-12 10:00"
    assert t3[-1] == "5"


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
        for path in (URL, URL + "report.csv", URL + "tickets.csv"):
            assert client.get(path).status_code in (302, 403), (user, path)
