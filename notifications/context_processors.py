from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from notifications import unread


def unread_notifications(request: HttpRequest) -> dict[str, Callable[[], object]]:
    """The person's notifications as the page asks for them, read from the
    cache at most once a page: the header's unread count
    (`helpdesk.site_tags`) and the ticket page's Follow button
    (`notifications.templatetags.follow`)."""
    user = getattr(request, "user", None)
    person = cache(lambda: unread.person(user))
    return {
        "unread_notifications": lambda: person().unread,
        "notifications_person": person,
    }
