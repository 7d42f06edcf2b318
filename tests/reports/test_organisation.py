"""A customer's manager sees the figures of their own organisation: tickets
per licence and Moscow month, replies and solutions per month, the tickets
open now; and exports the table as CSV.

"Now" is Wednesday 13 May 2026, 12:00 Moscow time: the last 12 whole months
are May 2025 to April 2026. The stored SLA facts are set by hand (how they are
computed is tests/tickets' business):

    ticket  licence  filed (Moscow)        status   1st reply  met    solved
    A1      L1       Sat 10.01.2026 10:00  closed   3600 s     yes    yes
    A2      L1       Sun 01.02.2026 02:30  open     7200 s     no     —      (31.01 23:30 UTC)
    A3      L2       Sun 15.02.2026 12:00  waiting  1800 s     yes    —
    A4      L2       Fri 20.02.2026 12:00  resolved 10800 s    no     yes
    A5      L1       Thu 30.04.2026 23:59  new      —          —      —      (20:59 UTC)
    A6      L1       Fri 01.05.2026 00:00  new      —          —      —      (30.04 21:00 UTC)
    A7      L2       Wed 30.04.2025 12:00  open     —          —      —
    B1      LB       Tue 10.02.2026 12:00  open     60 s       yes    —      (the other organisation)
    B2      LB       Sun 01.02.2026 02:30  new      —          —      —      (the other organisation)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from accounts.models import Membership
from audit.models import AuditEntry
from reports.figures import Figures
from reports.organisation import Months, OpenCount, organisation_figures
from tests.auth import sign_in
from tests.factories import LicenceFactory, MembershipFactory
from tests.schedule.support import msk
from tickets.models import Ticket
from tickets.templatetags.tickets_tags import support_time

pytestmark = pytest.mark.django_db

NOW = msk(2026, 5, 13, 12)
PAGE = "/organisation/figures/"
CSV = PAGE + "figures.csv"
UTC = dt.UTC
HOUR = 3600


def _ticket(licence, contact, created_at, status, **facts) -> Ticket:
    return Ticket.objects.create(
        reference=f"HD-{created_at.year}-{Ticket.objects.count() + 1:06d}",
        organisation=licence.organisation,
        licence=licence,
        contact=contact,
        contact_email=contact.email,
        subject="Вопрос",
        category=Ticket.Category.OTHER,
        status=status,
        created_at=created_at,
        **facts,
    )


@pytest.fixture
def licences(organisation, active_licence, other_organisation) -> dict:
    return {
        "l1": active_licence,
        "l2": LicenceFactory(
            organisation=organisation,
            number="ALFA-0003-AAAA-0003",
            product="Helpdesk Mail",
        ),
        "lb": LicenceFactory(organisation=other_organisation, number="BETA-0001"),
    }


@pytest.fixture
def tickets(licences, customer, outsider) -> dict[str, Ticket]:
    s = Ticket.Status
    l1, l2, lb = licences["l1"], licences["l2"], licences["lb"]
    solved = {"resolved_at": msk(2026, 3, 1, 12)}
    return {
        "a1": _ticket(
            l1,
            customer,
            msk(2026, 1, 10, 10),
            s.CLOSED,
            first_response_support_seconds=HOUR,
            first_response_met=True,
            **solved,
        ),
        "a2": _ticket(
            l1,
            customer,
            dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
            s.OPEN,
            first_response_support_seconds=2 * HOUR,
            first_response_met=False,
        ),
        "a3": _ticket(
            l2,
            customer,
            msk(2026, 2, 15, 12),
            s.WAITING,
            first_response_support_seconds=HOUR // 2,
            first_response_met=True,
        ),
        "a4": _ticket(
            l2,
            customer,
            msk(2026, 2, 20, 12),
            s.RESOLVED,
            first_response_support_seconds=3 * HOUR,
            first_response_met=False,
            **solved,
        ),
        "a5": _ticket(
            l1, customer, dt.datetime(2026, 4, 30, 20, 59, tzinfo=UTC), s.NEW
        ),
        "a6": _ticket(l1, customer, dt.datetime(2026, 4, 30, 21, tzinfo=UTC), s.NEW),
        "a7": _ticket(l2, customer, msk(2025, 4, 30, 12), s.OPEN),
        "b1": _ticket(
            lb,
            outsider,
            msk(2026, 2, 10, 12),
            s.OPEN,
            first_response_support_seconds=60,
            first_response_met=True,
        ),
        "b2": _ticket(
            lb, outsider, dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC), s.NEW
        ),
    }


LAST_12 = Months(dt.date(2025, 5, 1), dt.date(2026, 4, 1))
# The months' positions in LAST_12: January, February and April 2026.
JAN, FEB, APR = 8, 9, 11


def _counts(**by_position: int) -> tuple[int, ...]:
    counts = [0] * 12
    for position, count in by_position.items():
        counts[{"jan": JAN, "feb": FEB, "apr": APR}[position]] = count
    return tuple(counts)


def test_the_last_twelve_whole_months_end_before_this_one() -> None:
    assert Months.before(dt.date(2026, 5, 13)) == LAST_12
    assert Months.before(dt.date(2026, 1, 1)) == Months(
        dt.date(2025, 1, 1), dt.date(2025, 12, 1)
    )
    assert LAST_12.count == 12
    assert LAST_12.bounds() == (msk(2025, 5, 1), msk(2026, 5, 1))


def test_tickets_per_licence_and_moscow_month(organisation, licences, tickets) -> None:
    figures = organisation_figures(organisation.pk, LAST_12)

    # A2, filed at 23:30 UTC on 31 January, is February's in Moscow; A5 at
    # 23:59 Moscow time is April's; A6 (May) and A7 (April 2025) are outside.
    assert [(row.number, row.counts, row.total) for row in figures.licences] == [
        ("ALFA-0001-AAAA-0001", _counts(jan=1, feb=1, apr=1), 3),
        ("ALFA-0003-AAAA-0003", _counts(feb=2), 2),
    ]
    assert figures.licences[1].product == "Helpdesk Mail"
    assert figures.months.starts[JAN] == dt.date(2026, 1, 1)
    assert [month.tickets for month in figures.by_month] == list(
        _counts(jan=1, feb=3, apr=1)
    )


def test_replies_and_solutions_per_month_and_over_the_range(
    organisation, tickets
) -> None:
    figures = organisation_figures(organisation.pk, LAST_12)

    assert figures.by_month[JAN] == Figures(
        tickets=1,
        solved=1,
        first_response_median=HOUR,
        first_response_judged=1,
        first_response_met=1,
    )
    # A2 2 h, A3 0.5 h, A4 3 h: the middle is 2 h; only A3 met its target.
    assert figures.by_month[FEB] == Figures(
        tickets=3,
        solved=1,
        first_response_median=2 * HOUR,
        first_response_judged=3,
        first_response_met=1,
    )
    assert figures.by_month[FEB].first_response_share == pytest.approx(1 / 3)
    # A5, unanswered: nothing to judge.
    assert figures.by_month[APR] == Figures(tickets=1)
    assert figures.by_month[APR].first_response_share is None
    assert figures.by_month[0] == Figures()
    # 0.5, 1, 2 and 3 hours: the median is the mean of 1 and 2.
    assert figures.whole == Figures(
        tickets=5,
        solved=2,
        first_response_median=1.5 * HOUR,
        first_response_judged=4,
        first_response_met=2,
    )


def test_open_tickets_now_by_status_and_licence(organisation, tickets) -> None:
    figures = organisation_figures(organisation.pk, LAST_12)

    # Whenever filed (A6 this month, A7 a year ago); solved ones are not open.
    s = Ticket.Status
    assert figures.open_by_status == (
        OpenCount("new", str(s.NEW.label), 2, (("status", "new"),)),
        OpenCount("open", str(s.OPEN.label), 2, (("status", "open"),)),
        OpenCount("waiting", str(s.WAITING.label), 1, (("status", "waiting"),)),
    )
    assert [
        (row.name, row.count, row.list_filter) for row in figures.open_by_licence
    ] == [
        ("ALFA-0001-AAAA-0001", 3, None),
        ("ALFA-0003-AAAA-0003", 2, None),
    ]
    assert figures.open_total == 5


def test_a_chosen_range_of_months(organisation, tickets) -> None:
    figures = organisation_figures(
        organisation.pk, Months(dt.date(2026, 2, 1), dt.date(2026, 5, 1))
    )

    assert [(row.number, row.counts) for row in figures.licences] == [
        ("ALFA-0001-AAAA-0001", (1, 0, 1, 1)),
        ("ALFA-0003-AAAA-0003", (2, 0, 0, 0)),
    ]
    assert figures.whole.tickets == 5


def test_the_other_organisation_has_only_its_own(other_organisation, tickets) -> None:
    figures = organisation_figures(other_organisation.pk, LAST_12)

    assert [(row.number, row.total) for row in figures.licences] == [("BETA-0001", 2)]
    assert figures.whole == Figures(
        tickets=2,
        first_response_median=60,
        first_response_judged=1,
        first_response_met=1,
    )
    assert figures.open_total == 2


def test_five_queries_whatever_the_number_of_tickets_and_licences(
    organisation, customer, tickets
) -> None:
    with CaptureQueriesContext(connection) as few:
        organisation_figures(organisation.pk, LAST_12)
    for n in range(6):
        licence = LicenceFactory(organisation=organisation)
        for status in (Ticket.Status.NEW, Ticket.Status.RESOLVED):
            _ticket(licence, customer, msk(2025, 6 + n, 3, 12), status)
    with CaptureQueriesContext(connection) as more:
        figures = organisation_figures(organisation.pk, LAST_12)

    assert len(figures.licences) == 8
    # SQLite reads the medians' values in one more.
    assert len(few) == len(more) == (5 if connection.vendor == "postgresql" else 6)


def _manager_page(client, user, query=None):
    sign_in(client, user)
    with time_machine.travel(NOW, tick=False):
        return client.get(PAGE, query or {})


def test_the_manager_sees_the_page_with_the_portal_around_it(
    client, customer, tickets
) -> None:
    page = _manager_page(client, customer)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="support-hours"' in html
    assert 'href="/organisation/figures/"' in html
    # Months as columns: May 2025 first; A1's licence: 1, 1 and 1.
    assert re.search(r"<th scope=\"col\">Май 2025</th>", html)
    row = re.search(r"ALFA-0001-AAAA-0001 <span.*?</th>(.*?)</tr>", html, re.S)
    assert re.findall(r"<td>(\d+)</td>", row.group(1)) == [
        *map(str, _counts(jan=1, feb=1, apr=1)),
        "3",
    ]
    assert "BETA-0001" not in html
    # The whole range's median first reply, 1.5 support hours.
    assert f"<td>{support_time(dt.timedelta(hours=1.5))}</td>" in html


def test_open_counts_link_to_the_portal_list_filtered(
    client, customer, tickets
) -> None:
    html = _manager_page(client, customer).content.decode()
    links = dict(
        re.findall(r'<th scope="row">([^<]+)</th>\s*<td><a href="([^"]+)"', html)
    )
    new_tickets = links[str(Ticket.Status.NEW.label)]
    new = client.get(new_tickets)

    assert new_tickets == "/tickets/?status=new"
    assert set(re.findall(r"HD-\d{4}-\d{6}", new.content.decode())) == {
        tickets["a5"].reference,
        tickets["a6"].reference,
    }
    assert 'href="/tickets/?status=open"' in html


def test_the_organisation_comes_from_the_membership_not_the_address(
    client, other_organisation, organisation, tickets
) -> None:
    theirs = MembershipFactory(
        organisation=other_organisation, role=Membership.Role.MANAGER
    ).user

    html = _manager_page(
        client, theirs, {"organisation": organisation.pk}
    ).content.decode()

    assert "BETA-0001" in html
    assert "ALFA-0001-AAAA-0001" not in html


def test_a_chosen_range_on_the_page_and_wrong_ones(client, customer, tickets) -> None:
    chosen = _manager_page(client, customer, {"first": "2026-02", "last": "2026-05"})
    with time_machine.travel(NOW, tick=False):
        backwards = client.get(PAGE, {"first": "2026-04", "last": "2026-02"})
        too_long = client.get(PAGE, {"first": "2024-01", "last": "2026-01"})
        too_long_csv = client.get(CSV, {"first": "2024-01", "last": "2026-01"})
        longest = client.get(PAGE, {"first": "2024-02", "last": "2026-01"})
        unknown = client.get(PAGE, {"first": "2026-13", "last": "2026-01"})

    html = chosen.content.decode()
    assert re.findall(r'<th scope="col">([^<]+)</th>', html)[1:5] == [
        "Фев 2026",
        "Мар 2026",
        "Апр 2026",
        "Май 2026",
    ]
    assert '<option value="2026-02" selected>' in html
    assert backwards.status_code == too_long.status_code == unknown.status_code == 400
    assert too_long_csv.status_code == 400
    assert 'role="alert"' in backwards.content.decode()
    assert longest.status_code == 200


@pytest.mark.parametrize("who", ["colleague", "outsider", "agent"])
def test_who_is_not_a_manager_is_refused(client, request, who) -> None:
    user = request.getfixturevalue(who)
    sign_in(client, user)

    for path in (PAGE, CSV):
        assert client.get(path).status_code == 403, path
    assert (
        'href="/organisation/figures/"' not in client.get("/tickets/").content.decode()
    )
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_visitor_is_asked_to_sign_in(client) -> None:
    for path in (PAGE, CSV):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_posting_is_not_allowed(client, customer) -> None:
    sign_in(client, customer)

    assert client.post(PAGE).status_code == 405
    assert client.post(CSV).status_code == 405


def test_the_table_exports_as_csv_and_is_recorded(
    client, customer, organisation, tickets
) -> None:
    sign_in(client, customer)
    with time_machine.travel(NOW, tick=False):
        answer = client.get(CSV, {"first": "2026-01", "last": "2026-04"})

    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="figures-2026-01-2026-04.csv"' in answer["Content-Disposition"]
    text = b"".join(answer.streaming_content).decode()
    assert text.startswith("\ufeff")
    heading = [_("Licence"), _("Product"), "2026-01", "2026-02", "2026-03", "2026-04"]
    median = _("Median first response, support hours")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        [*heading, _("Total")],
        ["ALFA-0001-AAAA-0001", "Helpdesk Server", "1", "1", "0", "1", "3"],
        ["ALFA-0003-AAAA-0003", "Helpdesk Mail", "0", "2", "0", "0", "2"],
        [_("All tickets"), "", "1", "3", "0", "1", "5"],
        [_("Solved"), "", "1", "1", "0", "0", "2"],
        [median, "", "1.0", "2.0", "", "", "1.5"],
        [_("First responses within target, %"), "", "100.0", "33.3", "", "", "50.0"],
    ]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == customer
    assert (entry.target_type, entry.target_id) == (
        "organisation",
        str(organisation.pk),
    )
    assert entry.data == {
        "export": "organisation.csv",
        "first": "2026-01",
        "last": "2026-04",
    }


def test_the_page_takes_as_many_queries_for_more_tickets(
    client, customer, organisation, tickets, django_assert_max_num_queries
) -> None:
    sign_in(client, customer)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for n in range(5):
        licence = LicenceFactory(organisation=organisation)
        _ticket(licence, customer, msk(2025, 7 + n, 3, 12), Ticket.Status.OPEN)

    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(len(few)):
        page = client.get(PAGE)

    assert page.status_code == 200
    assert page.content.decode().count("TEST-") >= 10
