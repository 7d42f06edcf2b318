"""Receivers that forget cached data when the rows behind it change: the
lists in `tickets.cached_lists` and the conversations in
`tickets.conversation`. Domain effects happen in the services that change the
data; the one announcement passed on is the support calendar's, from
`schedule`, which may not know tickets (`tickets.deadlines`)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from accounts.models import User, saved_at_sign_in
from schedule import current as support_hours
from tickets import cached_lists, conversation, deadlines
from tickets.models import (
    Attachment,
    CannedResponse,
    Macro,
    Message,
    SavedFilter,
    SlaTarget,
    SupportGroup,
    Ticket,
    TicketEvent,
)


@receiver(support_hours.calendar_changed)
def calendar_changed(**kwargs: Any) -> None:
    # Sent after the calendar change has committed.
    deadlines.recompute_open_tickets()


@receiver(post_save, sender=User)
def staff_list_changed(instance: User, **kwargs: Any) -> None:
    if not saved_at_sign_in(kwargs.get("update_fields")):
        cached_lists.staff.forget()
        conversation.people.forget()


@receiver(post_delete, sender=User)
def staff_member_deleted(**kwargs: Any) -> None:
    cached_lists.staff.forget()
    conversation.people.forget()


@receiver(post_save, sender=SlaTarget)
@receiver(post_delete, sender=SlaTarget)
def sla_targets_changed(**kwargs: Any) -> None:
    cached_lists.sla_targets.forget()


@receiver(post_save, sender=CannedResponse)
@receiver(post_delete, sender=CannedResponse)
def canned_responses_changed(**kwargs: Any) -> None:
    cached_lists.canned_responses.forget()


@receiver(post_save, sender=Macro)
@receiver(post_delete, sender=Macro)
def macros_changed(**kwargs: Any) -> None:
    cached_lists.macros.forget()


@receiver(post_save, sender=SupportGroup)
@receiver(post_delete, sender=SupportGroup)
@receiver(m2m_changed, sender=SupportGroup.members.through)
def groups_changed(**kwargs: Any) -> None:
    cached_lists.groups.forget()


@receiver(post_save, sender=SavedFilter)
@receiver(post_delete, sender=SavedFilter)
def saved_filters_changed(**kwargs: Any) -> None:
    cached_lists.saved_filters.forget()


# A ticket's cached conversation follows its messages, attachments and
# events. Writes in bulk send no signal: the services that make them call
# `conversation.forget` themselves.


@receiver(post_save, sender=Message)
@receiver(post_delete, sender=Message)
@receiver(post_save, sender=TicketEvent)
@receiver(post_delete, sender=TicketEvent)
def conversation_changed(instance: Message | TicketEvent, **kwargs: Any) -> None:
    conversation.forget(instance.ticket_id)


@receiver(m2m_changed, sender=Ticket.cc.through)
def copied_contacts_changed(
    instance: Ticket | User,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """The colleagues copied on a ticket travel with its conversation."""
    if not reverse:
        if action.startswith("post_"):
            conversation.forget(instance.pk)
        return
    # From the user's side: the tickets are the keys; on a clear, known only
    # before it.
    if action == "pre_clear":
        pk_set = set(
            Ticket.cc.through.objects.filter(user=instance).values_list(
                "ticket_id", flat=True
            )
        )
    if action in ("post_add", "post_remove", "pre_clear") and pk_set:
        conversation.forget(*pk_set)


@receiver(post_save, sender=Attachment)
@receiver(post_delete, sender=Attachment)
def attachment_changed(instance: Attachment, **kwargs: Any) -> None:
    # None when the message went first; its own signal forgot the ticket.
    ticket_id = (
        Message.objects.filter(pk=instance.message_id)
        .values_list("ticket_id", flat=True)
        .first()
    )
    if ticket_id is not None:
        conversation.forget(ticket_id)
