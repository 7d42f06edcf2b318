"""`{% follow_button ticket %}`: the staff ticket page's Follow or Unfollow,
from the cache (`notifications.unread`), so the page makes no query for it."""

from __future__ import annotations

from django import template

from notifications import unread
from tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context: template.Context, ticket: Ticket) -> dict:
    user = context["request"].user
    return {
        "ticket": ticket,
        "following": ticket.pk in unread.followed_ticket_ids(user),
        "csrf_token": context.get("csrf_token"),
    }
