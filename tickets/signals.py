"""What tickets derive from others' data follows it: deadlines follow the
calendar and the SLA targets; the search index follows names; the cached
lists (tickets.cached_lists) and conversations (tickets.conversation) follow
their rows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import Organisation, User, saved_at_sign_in
from schedule import current as support_hours
from tickets import cached_lists, conversation
from tickets.models import (
    Attachment,
    CannedResponse,
    Message,
    SavedFilter,
    SlaTarget,
    Ticket,
    TicketEvent,
)
from tickets.tasks import recompute_open_sla, reindex_organisation_tickets

SEARCHABLE_NAMES = {
    Organisation: {"name", "tax_id"},
    User: {"full_name", "email"},
}


def _recompute_open_tickets() -> None:
    recompute_open_sla.delay()


@receiver(support_hours.calendar_changed)
def calendar_changed(**kwargs: Any) -> None:
    # Already after the commit of the calendar change.
    _recompute_open_tickets()


@receiver(post_save, sender=SlaTarget)
@receiver(post_delete, sender=SlaTarget)
def sla_targets_changed(**kwargs: Any) -> None:
    # robust: a broker outage must not undo the admin's saved target; the
    # nightly recompute catches up.
    transaction.on_commit(_recompute_open_tickets, robust=True)


# The search index holds the organisation's and the contact's names, so a
# rename re-indexes their tickets.


@receiver(pre_save, sender=Organisation)
@receiver(pre_save, sender=User)
def remember_searchable_names(sender: type, instance: Any, **kwargs: Any) -> None:
    fields = SEARCHABLE_NAMES[sender]
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields and not set(update_fields) & fields):
        instance._search_names_changed = False
        return
    before = sender.objects.filter(pk=instance.pk).values(*fields).first()
    instance._search_names_changed = before is not None and any(
        before[field] != getattr(instance, field) for field in fields
    )


@receiver(post_save, sender=Organisation)
def organisation_saved(instance: Organisation, **kwargs: Any) -> None:
    if getattr(instance, "_search_names_changed", False):
        # Thousands of tickets, perhaps: re-index in the worker.
        transaction.on_commit(
            lambda: reindex_organisation_tickets.delay(instance.pk), robust=True
        )


@receiver(post_save, sender=User)
def contact_saved(instance: User, **kwargs: Any) -> None:
    if getattr(instance, "_search_names_changed", False):
        Ticket.objects.filter(contact=instance).refresh_search_index()


# The lists in tickets.cached_lists are forgotten when a row behind them changes.


@receiver(post_save, sender=User)
def staff_list_changed(instance: User, **kwargs: Any) -> None:
    if not saved_at_sign_in(kwargs.get("update_fields")):
        cached_lists.staff.forget()
        conversation.people.forget()


post_delete.connect(cached_lists.staff.forget, sender=User)
post_delete.connect(conversation.people.forget, sender=User)
post_save.connect(cached_lists.sla_targets.forget, sender=SlaTarget)
post_delete.connect(cached_lists.sla_targets.forget, sender=SlaTarget)
post_save.connect(cached_lists.canned_responses.forget, sender=CannedResponse)
post_delete.connect(cached_lists.canned_responses.forget, sender=CannedResponse)
post_save.connect(cached_lists.saved_filters.forget, sender=SavedFilter)
post_delete.connect(cached_lists.saved_filters.forget, sender=SavedFilter)


# A ticket's cached conversation (tickets.conversation) follows its messages,
# attachments and events. Writes in bulk send no signal: the services that
# make them call `conversation.forget` themselves.


@receiver(post_save, sender=Message)
@receiver(post_delete, sender=Message)
@receiver(post_save, sender=TicketEvent)
@receiver(post_delete, sender=TicketEvent)
def conversation_changed(instance: Message | TicketEvent, **kwargs: Any) -> None:
    conversation.forget(instance.ticket_id)


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
