"""Routing on filing, and assignment to agents on shift, across a weekend,
a holiday and a shortened day of the 2026 production calendar."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from accounts.models import StaffRole
from automation.assignment import choose_agent
from automation.models import Absence, Action, Condition, Rule, RuleRun, Shift
from tests.automation.conftest import at, file, rule
from tests.conftest import _staff
from tests.factories import LicenceFactory
from tickets.models import SupportGroup, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(organisation):
    return LicenceFactory(
        organisation=organisation,
        product="Сервер документооборота",
        edition="Enterprise",
        purchased_on=datetime.date(2026, 1, 1),
    )


@pytest.fixture
def second_line(agent):
    group = SupportGroup.objects.create(name="Вторая линия")
    group.members.add(agent)
    return group


@pytest.fixture
def first_line():
    return SupportGroup.objects.create(name="Первая линия")


def test_the_first_matching_rule_routes_a_filed_ticket(
    customer, licence, first_line, second_line, shipped_calendar
) -> None:
    rule(
        Rule.Kind.ROUTING,
        "Сбои Enterprise — вторая линия",
        position=1,
        conditions=[
            {"field": Condition.Field.EDITION, "value": "enterprise"},
            {
                "field": Condition.Field.SUBJECT,
                "operator": Condition.Operator.CONTAINS,
                "value": "падает, не запускается",
            },
        ],
        actions=[
            {"kind": Action.Kind.SET_GROUP, "group": second_line},
            {"kind": Action.Kind.SET_PRIORITY, "value": "high"},
            {"kind": Action.Kind.ADD_TAGS, "value": "Сбой, enterprise"},
        ],
    )
    rule(
        Rule.Kind.ROUTING,
        "Всё остальное — первая линия",
        position=2,
        actions=[{"kind": Action.Kind.SET_GROUP, "group": first_line}],
    )

    crash = file(customer, licence, "Служба не запускается после обновления")
    question = file(customer, licence, "Как настроить резервное копирование")

    assert (crash.group, crash.priority) == (second_line, Ticket.Priority.HIGH)
    assert sorted(crash.tags.values_list("name", flat=True)) == ["enterprise", "сбой"]
    # Only the first match: the catch-all did not move it to the first line.
    assert (question.group, question.priority) == (first_line, Ticket.Priority.NORMAL)
    # Each change is in the history under the rule's name, and no record
    # repeats them (the rule did nothing else).
    rule_name = "Правило маршрутизации “Сбои Enterprise — вторая линия”"
    for kind in (
        TicketEvent.Kind.GROUP,
        TicketEvent.Kind.PRIORITY,
        TicketEvent.Kind.TAGS,
    ):
        assert crash.events.get(kind=kind).via_rule == rule_name
    assert not crash.events.filter(kind=TicketEvent.Kind.AUTOMATION).exists()
    assert "вторая линия" in RuleRun.objects.get(ticket=crash).done.lower()


def test_a_channel_and_a_language_route_too(
    customer, licence, first_line, shipped_calendar
) -> None:
    customer.language = "en"
    customer.save(update_fields=["language"])
    rule(
        Rule.Kind.ROUTING,
        "English by e-mail",
        conditions=[
            {"field": Condition.Field.CHANNEL, "value": "email"},
            {"field": Condition.Field.LANGUAGE, "value": "en"},
        ],
        actions=[{"kind": Action.Kind.SET_GROUP, "group": first_line}],
    )

    by_mail = file(customer, licence, channel=Ticket.Channel.EMAIL)
    on_portal = file(customer, licence)

    assert by_mail.group == first_line
    assert on_portal.group is None


def test_a_rule_whose_group_was_deleted_is_skipped_and_reported(
    customer, licence, first_line, shipped_calendar
) -> None:
    broken = rule(
        Rule.Kind.ROUTING,
        "В удалённую группу",
        actions=[
            {"kind": Action.Kind.SET_PRIORITY, "value": "critical"},
            {"kind": Action.Kind.SET_GROUP, "group": first_line},
        ],
    )
    first_line.delete()

    ticket = file(customer, licence)

    # Filed as if the rule were not there: its first action was undone too.
    assert ticket.priority == Ticket.Priority.NORMAL
    assert ticket.group is None
    broken.refresh_from_db()
    assert "no longer exists" in broken.problem or "больше нет" in broken.problem
    assert broken.problem_at is not None


def _agents():
    return [
        _staff(f"agent{n}@support.example", StaffRole.AGENT, with_totp=False)
        for n in (1, 2, 3)
    ]


def test_round_robin_gives_tickets_in_turn_to_agents_on_shift(
    customer, licence, shipped_calendar
) -> None:
    anna, boris, vera = _agents()
    group = SupportGroup.objects.create(
        name="Первая линия", assignment=SupportGroup.Assignment.ROUND_ROBIN
    )
    group.members.add(anna, boris, vera)
    # Boris works weekday mornings; Vera is on leave all that week; Anna
    # keeps support's own hours.
    for weekday in range(5):
        Shift.objects.create(
            agent=boris,
            weekday=weekday,
            starts=datetime.time(7),
            ends=datetime.time(15),
        )
    Absence.objects.create(
        agent=vera,
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2026, 11, 8),
    )
    rule(
        Rule.Kind.ROUTING,
        "Всё — первой линии",
        actions=[{"kind": Action.Kind.SET_GROUP, "group": group}],
    )

    def filed_at(moment: datetime.datetime) -> Ticket:
        with time_machine.travel(moment, tick=False):
            return file(customer, licence)

    # Thursday 5 November, 08:00: Anna and Boris work, in turn.
    thursday = [filed_at(at(2026, 11, 5, 8, minute)) for minute in (0, 1, 2)]
    assert [t.assignee for t in thursday] == [anna, boris, anna]
    # Thursday 16:00: Boris's shift is over.
    assert filed_at(at(2026, 11, 5, 16)).assignee == anna
    # Saturday 10:00: support is open, Boris has no Saturday shift.
    assert filed_at(at(2026, 11, 7, 10)).assignee == anna
    # Sunday, and the Wednesday 4 November holiday: nobody is on shift, the
    # ticket waits unassigned in the group.
    for moment in (at(2026, 11, 8, 12), at(2026, 11, 4, 12)):
        waiting = filed_at(moment)
        assert (waiting.group, waiting.assignee) == (group, None)
    # Tuesday 3 November is shortened to 18:00: at 18:30 Anna has gone home.
    assert filed_at(at(2026, 11, 3, 18, 30)).assignee is None
    # The week after, Vera is back.
    assert filed_at(at(2026, 11, 9, 16)).assignee == vera


def test_least_loaded_respects_the_cap(customer, licence, shipped_calendar) -> None:
    anna, boris, _vera = _agents()
    group = SupportGroup.objects.create(
        name="Вторая линия",
        assignment=SupportGroup.Assignment.LEAST_LOADED,
        open_tickets_cap=2,
    )
    group.members.add(anna, boris)
    rule(
        Rule.Kind.ROUTING,
        "Всё — второй линии",
        actions=[{"kind": Action.Kind.SET_GROUP, "group": group}],
    )
    with time_machine.travel(at(2026, 11, 5, 10), tick=False):
        tickets = [file(customer, licence) for _ in range(5)]

    assignees = [t.assignee for t in tickets]
    assert sorted(assignees[:4], key=lambda a: a.pk) == [anna, anna, boris, boris]
    # Both have two open tickets: the fifth waits in the group.
    assert assignees[4] is None
    with time_machine.travel(at(2026, 11, 5, 10), tick=False):
        assert choose_agent(group, at(2026, 11, 5, 10)) is None
