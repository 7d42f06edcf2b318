from __future__ import annotations

import pytest

from tickets.models import Ticket
from tickets.services import TicketError, change_ticket_status

S = Ticket.Status
ALLOWED = {
    (S.NEW, S.OPEN), (S.NEW, S.WAITING), (S.NEW, S.RESOLVED), (S.NEW, S.CLOSED),
    (S.OPEN, S.WAITING), (S.OPEN, S.RESOLVED), (S.OPEN, S.CLOSED),
    (S.WAITING, S.OPEN), (S.WAITING, S.RESOLVED), (S.WAITING, S.CLOSED),
    (S.RESOLVED, S.OPEN), (S.RESOLVED, S.CLOSED),
    (S.CLOSED, S.OPEN),
}  # fmt: skip


@pytest.mark.parametrize("old", list(S))
@pytest.mark.parametrize("new", list(S))
def test_can_move_to_follows_the_workflow(old, new) -> None:
    assert Ticket(status=old).can_move_to(new) == ((old, new) in ALLOWED)


@pytest.mark.django_db
def test_a_forbidden_move_is_refused_and_recorded_nowhere(ticket, agent) -> None:
    with pytest.raises(TicketError, match="не может стать"):
        change_ticket_status(ticket, to=S.NEW, by=agent)

    ticket.refresh_from_db()
    assert ticket.status == S.NEW
    assert not ticket.events.filter(kind="status").exists()


@pytest.mark.django_db
def test_every_status_change_is_recorded_with_who_and_when(ticket, agent) -> None:
    change_ticket_status(ticket, to=S.OPEN, by=agent)
    change_ticket_status(ticket, to=S.RESOLVED, by=agent, note="Обновите драйвер")

    events = list(
        ticket.events.filter(kind="status").values_list(
            "old_value", "new_value", "actor", "note"
        )
    )
    assert events == [
        ("new", "open", agent.pk, ""),
        ("open", "resolved", agent.pk, "Обновите драйвер"),
    ]
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
