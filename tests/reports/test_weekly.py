"""The weekly report e-mailed to the supervisors on Monday morning, on the
dashboard's known history (tests/tickets/dashboard/test_dashboard.py).

Sent on Monday 18 May 2026, it covers 11–17 May (T4, T3, T5, T7) beside
4–10 May (T6, T2):

    week      tickets  solved  first replies     met      solved in time  rated
    11–17.05  4        T3      T4 1 h, T3 0.5 h,  T4, T3   T3              T3: 5
                               T5 9 h
    04–10.05  2        T6, T2  T6 0.5 h, T2 2 h   T6       T2              —

Open now: T4 (open), T5 (waiting) and T7 (new).
"""

from __future__ import annotations

import datetime
import importlib
import re
from html import escape
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from accounts.models import StaffRole
from helpdesk.celery import app as celery_app
from reports.figures import Period, report
from reports.models import WeeklyReport
from reports.services import send_weekly_report
from reports.tasks import send_weekly_report as send_weekly_report_task
from tests.auth import sign_in
from tests.conftest import _staff
from tests.factories import UserFactory
from tests.schedule.support import msk
from tests.security.inert_html import script_risks
from tickets.models import SupportGroup, Ticket

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sla_targets", "shipped_calendar"),
]

MONDAY = msk(2026, 5, 18, 7, 30)
WEEK = Period(datetime.date(2026, 5, 11), datetime.date(2026, 5, 17))


@pytest.fixture
def other_agent():
    person = _staff("agent2@support.example", StaffRole.AGENT)
    person.full_name = "Мария Соколова"
    person.save(update_fields=["full_name"])
    return person


@pytest.fixture
def grouped(history, agent, other_agent) -> dict:
    """The history's tickets in two groups and with two agents; T7 has
    neither."""
    first = SupportGroup.objects.create(name="Первая линия")
    second = SupportGroup.objects.create(name="Вторая линия")
    tickets = {name: ticket.pk for name, ticket in history.items()}
    for names, changes in (
        (("t3", "t4", "t6"), {"group": first, "assignee": agent}),
        (("t5",), {"group": first, "assignee": other_agent}),
        (("t2",), {"group": second, "assignee": other_agent}),
    ):
        Ticket.objects.filter(pk__in=[tickets[n] for n in names]).update(**changes)
    return {"first": first, "second": second, "agent": agent}


def _send(capture, *, day: str | None = None, at=MONDAY) -> int:
    """Run the beat task as beat would, its e-mails sent."""
    with time_machine.travel(at, tick=False), capture(execute=True):
        return send_weekly_report_task.delay(day).get()


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _mail_to(mailoutbox, person):
    [message] = [m for m in mailoutbox if m.to == [person.email]]
    return message


class _Tables(HTMLParser):
    """The tables of a page, each a list of rows of cells' text; and whether
    every element is closed in order."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.open: list[str] = []
        self.misnested: list[str] = []
        self.doctype = ""
        self._cell: list[str] | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in self.VOID:
            self.open.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.misnested.append(tag)
            return
        self.open.pop()
        if tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parsed(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    parser.close()
    assert parser.doctype.lower() == "doctype html"
    assert parser.open == []
    assert parser.misnested == []
    return parser


def test_supervisors_receive_it_and_nobody_else(
    client,
    grouped,
    supervisor,
    admin_user,
    agent,
    customer,
    django_capture_on_commit_callbacks,
    mailoutbox,
) -> None:
    inactive = _staff("gone@support.example", StaffRole.SUPERVISOR)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    no_address = _staff("blank@support.example", StaffRole.SUPERVISOR)
    no_address.email = ""
    no_address.save(update_fields=["email"])
    opted_out = _staff("quiet@support.example", StaffRole.SUPERVISOR)
    # An agent granted the dashboard alone, and a superuser in no group.
    granted = _staff("granted@support.example", StaffRole.AGENT)
    granted.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    superuser = UserFactory(
        email="root@support.example", is_staff=True, is_superuser=True
    )
    sign_in(client, opted_out)
    page = client.get(reverse("notifications:settings"))
    form = page.context["form"]
    # By e-mail only: no box for the list.
    assert "in_app_weekly_report" not in form.fields
    wanted = {
        name: "on" for name in form.fields if name.startswith(("in_app_", "email_"))
    }
    del wanted["email_weekly_report"]
    assert client.post(reverse("notifications:settings"), wanted).status_code == 302

    assert _send(django_capture_on_commit_callbacks) == 4

    expected = {supervisor, admin_user, granted, superuser}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in expected)
    record = WeeklyReport.objects.get()
    assert record.week_start == WEEK.first
    assert set(record.recipients.all()) == expected
    assert record.sent_at == MONDAY
    assert all(
        m.extra_headers["Auto-Submitted"] == "auto-generated" for m in mailoutbox
    )


def test_each_in_their_own_language(
    grouped, supervisor, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    english = _staff("english@support.example", StaffRole.SUPERVISOR)
    english.language = "en"
    english.save(update_fields=["language"])

    _send(django_capture_on_commit_callbacks)

    russian, in_english = (
        _mail_to(mailoutbox, supervisor),
        _mail_to(mailoutbox, english),
    )
    assert in_english.subject == "Weekly report, 11.05.2026 – 17.05.2026"
    assert "Tickets: 4 (the week before: 2)" in in_english.body
    assert (
        "Median first response: 1 h 00 min (the week before: 1 h 15 min)"
        in in_english.body
    )
    assert "Average rating: 5.0 (the week before: —)" in in_english.body
    assert '<html lang="en">' in _html(in_english)
    # The labels the reports page already says in Russian, and Russian
    # numbers.
    assert "Заявки: 4" in russian.body
    assert "Медиана первого ответа: 1 ч 00 мин" in russian.body
    assert "Средняя оценка: 5,0" in russian.body
    assert "Tickets: 4" not in russian.body
    assert '<html lang="ru">' in _html(russian)


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.0f}%" if whole else "—"


def _support_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def test_the_figures_are_those_of_the_reports_page(
    grouped, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    reader = _staff("reader@support.example", StaffRole.SUPERVISOR)
    reader.language = "en"
    reader.save(update_fields=["language"])

    _send(django_capture_on_commit_callbacks)

    message = _mail_to(mailoutbox, reader)
    totals, by_group, by_agent = _parsed(_html(message)).tables
    assert totals == [
        ["", "11.05–17.05", "04.05–10.05"],
        ["Tickets", "4", "2"],
        ["Solved", "1", "2"],
        ["Median first response", "1 h 00 min", "1 h 15 min"],
        ["First responses within target", "67%", "50%"],
        # T3 13 h; T6 14 h and T2 7 h.
        ["Median resolution", "13 h 00 min", "10 h 30 min"],
        ["Solved within target", "100%", "50%"],
        # T3, T4 and T5 one each, T7 none; T2 and T6 one each.
        ["Replies per ticket", "0.8", "1.0"],
        ["Average rating", "5.0", "—"],
        ["Ratings", "1", "0"],
    ]
    assert "Open tickets now: 3" in message.body
    with time_machine.travel(MONDAY, tick=False), translation.override("en"):
        expected = {"group": report(WEEK, "group"), "agent": report(WEEK, "agent")}
    for table, shown in ((by_group, expected["group"]), (by_agent, expected["agent"])):
        # Each row as the page computes it (the change is checked below).
        assert [[cells[0], cells[1], *cells[3:]] for cells in table[1:]] == [
            [
                row.name,
                str(row.now.tickets),
                str(row.now.solved),
                _support_time(row.now.first_response_median),
                _percent(row.now.first_response_met, row.now.first_response_judged),
                _percent(row.now.resolution_met, row.now.resolution_judged),
                "—" if row.now.score is None else f"{row.now.score:.1f}",
            ]
            for row in shown.rows
        ]
    # The first line had T4, T3 and T5 this week, T6 the week before; the
    # second line only T2, the week before; T7 has no group.
    assert by_group[0][:3] == ["Group", "Tickets", "Change"]
    assert [row[:4] for row in by_group[1:]] == [
        ["Первая линия", "3", "+2 (+200%)", "1"],
        ["(none)", "1", "+1", "0"],
    ]
    assert [row[:4] for row in by_agent[1:]] == [
        [grouped["agent"].full_name, "2", "+1 (+100%)", "1"],
        ["Мария Соколова", "1", "no change", "0"],
        ["(none)", "1", "+1", "0"],
    ]


def test_a_week_goes_once(
    grouped, supervisor, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    assert _send(django_capture_on_commit_callbacks) == 1
    assert _send(django_capture_on_commit_callbacks) == 0
    # Later in the week it is still last week's, sent.
    tuesday = msk(2026, 5, 19, 10)
    assert _send(django_capture_on_commit_callbacks, at=tuesday) == 0
    assert len(mailoutbox) == 1
    assert WeeklyReport.objects.count() == 1


def test_a_past_week_is_built_on_request_and_a_week_not_over_is_refused(
    grouped, supervisor, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    assert _send(django_capture_on_commit_callbacks, day="2026-05-06") == 1
    assert mailoutbox[0].subject.endswith("04.05.2026 – 10.05.2026")
    assert WeeklyReport.objects.get().week_start == datetime.date(2026, 5, 4)

    with pytest.raises(ValueError, match="not over"), time_machine.travel(MONDAY):
        send_weekly_report(datetime.date(2026, 5, 18))

    assert len(mailoutbox) == 1


def test_beat_runs_it_on_monday_at_07_30_moscow_time() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-report"]
    module, _dot, name = entry["task"].rpartition(".")

    task = getattr(importlib.import_module(module), name)

    assert task.name == entry["task"]
    assert entry["task"] in celery_app.tasks
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour, schedule.day_of_week) == ({30}, {7}, {1})
    assert settings.CELERY_TIMEZONE == "Europe/Moscow"
    # Due on Monday 07:30 Moscow time when it last ran a week before.
    schedule.app = celery_app
    last_run = msk(2026, 5, 11, 7, 30)
    with time_machine.travel(msk(2026, 5, 18, 7, 29), tick=False):
        assert not schedule.is_due(last_run).is_due
    with time_machine.travel(MONDAY, tick=False):
        assert schedule.is_due(last_run).is_due


def test_the_link_opens_the_reports_page_for_the_week(
    client, grouped, supervisor, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    _send(django_capture_on_commit_callbacks)
    [message] = mailoutbox
    site = settings.SITE_URL.rstrip("/")
    links = re.findall(re.escape(site) + r"/staff/reports/\S*", message.body)
    html_links = re.findall(r'href="([^"]*/staff/reports/[^"]*)"', _html(message))

    assert len(links) == 1
    assert [link.replace("&amp;", "&") for link in html_links] == links
    sign_in(client, supervisor)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(links[0].removeprefix(site))
    assert page.status_code == 200
    assert page.context["report"].period == WEEK
    assert page.context["report"].dimension == "agent"


NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</td></tr></table><b>bold</b>",
    "{{ request.user }} {% debug %}",
]


def test_names_are_escaped_in_html_and_kept_in_the_text(
    grouped,
    agent,
    other_agent,
    supervisor,
    django_capture_on_commit_callbacks,
    mailoutbox,
) -> None:
    grouped["first"].name = NAMES[0]
    grouped["first"].save(update_fields=["name"])
    agent.full_name = NAMES[1]
    agent.save(update_fields=["full_name"])
    other_agent.full_name = NAMES[2]
    other_agent.save(update_fields=["full_name"])
    grouped["second"].name = NAMES[3]
    grouped["second"].save(update_fields=["name"])

    # The week before: the second line had T2.
    _send(django_capture_on_commit_callbacks, day="2026-05-06")

    [message] = mailoutbox
    html = _html(message)
    assert script_risks(html) == []
    parsed = _parsed(html)
    names = {row[0] for table in parsed.tables[1:] for row in table[1:]}
    assert set(NAMES) <= names
    for name in NAMES:
        assert escape(name) in html
        assert f"- {name}. " in message.body
