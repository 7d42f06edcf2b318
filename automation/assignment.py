"""Who is on shift, and which of a group's agents gets its next ticket."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count

from accounts.models import User
from automation.models import Absence, Shift
from schedule import current as support_hours
from tickets import services
from tickets.models import SupportGroup, Ticket


def on_shift(agents: list[User], at: datetime.datetime) -> list[User]:
    """The agents working at `at`: never on a day support is closed (a
    Sunday, a holiday) nor during an absence; within their shifts of that
    weekday, or, for an agent with no shifts, while support is open."""
    local = at.astimezone(support_hours.MOSCOW)
    if not support_hours.calendar().day(local.date()).is_working:
        return []
    ids = [agent.pk for agent in agents]
    away = set(
        Absence.objects.filter(
            agent__in=ids, starts_on__lte=local.date(), ends_on__gte=local.date()
        ).values_list("agent_id", flat=True)
    )
    shifts: dict[int, list[Shift]] = {}
    for shift in Shift.objects.filter(agent__in=ids):
        shifts.setdefault(shift.agent_id, []).append(shift)
    support_open = support_hours.status(at).is_open
    working = []
    for agent in agents:
        if agent.pk in away:
            continue
        own = shifts.get(agent.pk)
        if own is None:
            if support_open:
                working.append(agent)
        elif any(
            shift.weekday == local.weekday()
            and shift.starts <= local.time() < shift.ends
            for shift in own
        ):
            working.append(agent)
    return working


def open_tickets_of(agents: list[User]) -> dict[int, int]:
    """How many unsolved tickets each agent has."""
    counts = (
        Ticket.objects.open()
        .filter(assignee__in=[agent.pk for agent in agents])
        .values("assignee")
        .annotate(count=Count("pk"))
    )
    return {row["assignee"]: row["count"] for row in counts}


def choose_agent(group: SupportGroup, at: datetime.datetime) -> User | None:
    """The member who should get the group's next ticket now, by the group's
    rule, among those on shift and under the cap; None: nobody."""
    if not group.assignment:
        return None
    members = list(group.members.filter(is_active=True, is_staff=True).order_by("pk"))
    working = on_shift(members, at)
    if not working:
        return None
    load = open_tickets_of(working)
    if group.open_tickets_cap is not None:
        working = [a for a in working if load.get(a.pk, 0) < group.open_tickets_cap]
    if not working:
        return None
    if group.assignment == SupportGroup.Assignment.LEAST_LOADED:
        return min(working, key=lambda agent: (load.get(agent.pk, 0), agent.pk))
    # In turn: the first after the last one given a ticket, round the list.
    last = group.last_assigned_id or 0
    return next((a for a in working if a.pk > last), working[0])


@transaction.atomic
def assign_in_group(ticket: Ticket, *, at: datetime.datetime) -> User | None:
    """Give the ticket to an agent of its group, if the group assigns and
    someone can take it; the turn moves on. None: it waits in the group."""
    if ticket.group_id is None:
        return None
    # Locked: two tickets filed at once take turns, not the same agent.
    group = SupportGroup.objects.select_for_update().get(pk=ticket.group_id)
    agent = choose_agent(group, at)
    if agent is None:
        return None
    services.update_ticket(ticket, by=None, assignee=agent)
    group.last_assigned = agent
    group.save(update_fields=["last_assigned", "updated_at"])
    return agent
