"""The queue's SLA cell, as the `sla_clock` tag writes it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from tests.schedule.support import msk
from tickets.sla import Clock

# The deadline is shown as read on the support calendar (a closing, not the
# next opening), so the calendar is read.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shipped_calendar")]

H = datetime.timedelta(hours=1)
CELL = Template("{% load tickets_tags %}{% sla_clock clock due %}")


def cell(clock: Clock, due: datetime.datetime | None = None) -> str:
    with translation.override("en"):
        return CELL.render(Context({"clock": clock, "due": due}))


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (
            Clock("running", 26 * H + datetime.timedelta(minutes=5)),
            '<span class="sla-clock sla-later" title="03.03.2026 08:00">'
            "26 h 05 min left</span>",
        ),
        (
            Clock("running", H),
            '<span class="sla-clock sla-soon" title="03.03.2026 08:00">'
            "1 h 00 min left</span>",
        ),
        (
            Clock("overdue", 3 * H),
            '<span class="sla-clock sla-overdue" title="03.03.2026 08:00">'
            "overdue 3 h 00 min</span>",
        ),
        (Clock("paused"), '<span class="sla-clock sla-paused">paused</span>'),
        (Clock("stopped"), "—"),
        (Clock("none"), "—"),
    ],
)
def test_each_kind_of_clock(clock, expected) -> None:
    # The deadline is shown in Moscow time, the desk's zone.
    with time_machine.travel(msk(2026, 3, 2, 12), tick=False):
        assert cell(clock, msk(2026, 3, 3, 8)) == expected


def test_a_clock_due_today_has_its_own_badge() -> None:
    with time_machine.travel(msk(2026, 3, 3, 7, 30), tick=False):
        html = cell(Clock("running", 3 * H), msk(2026, 3, 3, 10, 30))

    assert html.startswith('<span class="sla-clock sla-today"')


def test_a_running_clock_in_russian() -> None:
    with translation.override("ru"), time_machine.travel(msk(2026, 3, 1, 12)):
        html = CELL.render(
            Context({"clock": Clock("running", 2 * H), "due": msk(2026, 3, 3, 8)})
        )

    assert html == (
        '<span class="sla-clock sla-later" title="03.03.2026 08:00">'
        "осталось 2 ч 00 мин</span>"
    )
