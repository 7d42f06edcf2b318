"""Escalations: tickets whose clock has run past a rule's limit, counted in
support's working time on the production calendar, acted on once per clock.

A clock starts at a moment the ticket keeps (filed, the customer's last
message, the status set to waiting). The sweep asks the database, through
partial indexes over unsolved tickets, for those whose clock started before
the latest moment that is already past the limit (`latest_due_start`), and
that the rule has not yet looked at for that start (`RuleRun`). Each is
then checked against the rule's conditions once, at the moment it is due:
a match acts, a miss is recorded too, so no ticket is looked at twice for
one clock. A new start (the customer writes again, the ticket waits again)
is a new clock.
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.timezone import now

from automation.actions import Broken
from automation.engine import (
    facts_of,
    matches,
    outside_any_chain,
    report_broken,
    run_rule,
)
from automation.models import Rule, RuleRun
from schedule import current as support_hours
from tickets.models import Ticket

logger = logging.getLogger(__name__)

# Tickets looked at per rule in one sweep; the rest wait for the next.
BATCH = 500

ONE_MICROSECOND = datetime.timedelta(microseconds=1)

# Each clock: the tickets it runs for, and the field it started at.
CLOCKS: dict[str, tuple[Q, str]] = {
    Rule.Clock.NO_FIRST_ANSWER: (
        Q(status__in=[Ticket.Status.NEW, Ticket.Status.OPEN], first_response_at=None),
        "created_at",
    ),
    Rule.Clock.UNANSWERED: (
        Q(status__in=[Ticket.Status.NEW, Ticket.Status.OPEN])
        & (
            Q(last_staff_reply_at=None)
            | Q(last_customer_message_at__gt=F("last_staff_reply_at"))
        ),
        "last_customer_message_at",
    ),
    Rule.Clock.WAITING: (Q(status=Ticket.Status.WAITING), "status_changed_at"),
    Rule.Clock.UNASSIGNED: (
        Q(status__in=[Ticket.Status.NEW, Ticket.Status.OPEN], assignee=None),
        "created_at",
    ),
}


def due_at(rule: Rule, start: datetime.datetime) -> datetime.datetime | None:
    """When the rule's limit is reached for a clock started at `start`: after
    so many open hours, or on the same time of day so many working days
    later (moved to the next opening if support is closed then). None when
    the calendar never gets there."""
    amount, unit = rule.limit
    if unit == Rule.Unit.DAYS:
        calendar = support_hours.calendar()
        local = start.astimezone(support_hours.MOSCOW)
        day, counted = local.date(), 0
        while counted < amount:
            day += datetime.timedelta(days=1)
            if day.year > local.year + 2:
                return None
            counted += calendar.day(day).is_working
        moment = datetime.datetime.combine(day, local.time(), local.tzinfo)
        return support_hours.next_opening(moment)
    try:
        return support_hours.add_business_time(start, datetime.timedelta(hours=amount))
    except ValueError:
        return None


def latest_due_start(rule: Rule, at: datetime.datetime) -> datetime.datetime | None:
    """The latest clock start whose limit is reached by `at`, to the
    microsecond: every clock that started then or earlier is due. None:
    none is."""
    amount, unit = rule.limit
    span = (
        datetime.timedelta(hours=amount)
        if unit == Rule.Unit.HOURS
        else (datetime.timedelta(days=amount))
    )
    # Open time never runs faster than the clock, and two months hold more
    # than any run of closed days.
    earliest = at - span - datetime.timedelta(days=60)
    due = due_at(rule, earliest)
    if due is None or due > at:
        return None
    # A bisection over whole microseconds after `earliest`: `low` is due by
    # `at`, `high` is not (or is past the last possible start).
    low, high = 0, (at - span - earliest) // ONE_MICROSECOND + 1
    while high - low > 1:
        middle = (low + high) // 2
        due = due_at(rule, earliest + middle * ONE_MICROSECOND)
        if due is not None and due <= at:
            low = middle
        else:
            high = middle
    return earliest + low * ONE_MICROSECOND


def due_tickets(rule: Rule, at: datetime.datetime) -> QuerySet[Ticket]:
    """The tickets whose clock for this rule is due and not yet looked at."""
    latest = latest_due_start(rule, at)
    if latest is None:
        return Ticket.objects.none()
    which, started = CLOCKS[rule.clock]
    looked_at = RuleRun.objects.filter(
        rule=rule, ticket=OuterRef("pk"), started_at=OuterRef(started)
    )
    return (
        Ticket.objects.filter(which, **{f"{started}__lte": latest})
        .exclude(Exists(looked_at))
        .order_by(started, "pk")
    )


def escalate(at: datetime.datetime | None = None) -> int:
    """Look at every due ticket of every active escalation; how many were acted on."""
    at = at or now()
    acted = 0
    for rule in (
        Rule.objects.active()
        .filter(kind=Rule.Kind.ESCALATION)
        .order_by("position", "pk")
    ):
        _which, started = CLOCKS[rule.clock]
        for ticket_id, start in due_tickets(rule, at).values_list("pk", started)[
            :BATCH
        ]:
            acted += _look_at(rule, ticket_id, start)
    return acted


@transaction.atomic
def _look_at(rule: Rule, ticket_id: int, start: datetime.datetime) -> bool:
    which, started = CLOCKS[rule.clock]
    # Locked, and the clock checked again: a reply may have stopped it since.
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("organisation", "licence", "contact", "group", "assignee")
        .filter(which, pk=ticket_id, **{started: start})
        .first()
    )
    if ticket is None:
        return False
    try:
        matched = matches(rule, facts_of(ticket))
    except Broken as broken:
        report_broken(rule, str(broken))
        return False
    if not matched:
        try:
            with transaction.atomic():
                RuleRun.objects.create(
                    rule=rule, ticket=ticket, started_at=start, matched=False
                )
        except IntegrityError:
            pass
        return False
    with outside_any_chain():
        return run_rule(rule, ticket, None, started_at=start) is not None
