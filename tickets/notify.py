"""One way to tell people of a ticket event, whatever the channel.

`notify()` claims the event, then each channel says what it has to say:
e-mail to the customers and the assignee (`tickets.email.outgoing`), a
staff reply to the Telegram chats that follow the ticket
(`tickets.telegram.notify`). Called inside the transaction that made the
change, so each channel's outbox rows commit (or roll back) with it.
"""

from __future__ import annotations

from django.utils.timezone import now

from tickets.email.outgoing import mail_event
from tickets.models import TicketEvent
from tickets.telegram.notify import tell_followers


def notify(event: TicketEvent) -> int:
    """Queue every message about one event, once: the event is claimed first.
    Returns how many messages were queued."""
    claimed = TicketEvent.objects.filter(pk=event.pk, notified_at=None).update(
        notified_at=now()
    )
    if claimed != 1:
        return 0
    return mail_event(event) + tell_followers(event)
