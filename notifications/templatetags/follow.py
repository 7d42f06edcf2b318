"""`{% follow_button ticket %}`: the staff ticket page's Follow or Unfollow,
from the cache (`notifications.unread`), so the page makes no query for it."""

from __future__ import annotations

from django import template

from tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context: template.Context, ticket: Ticket) -> dict:
    # As the header read it (`notifications.context_processors`).
    person = context["notifications_person"]()
    return {
        "ticket": ticket,
        "following": ticket.pk in person.followed,
        "csrf_token": context.get("csrf_token"),
    }
