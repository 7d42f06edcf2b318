from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from notifications import unread


def unread_notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """The header's unread count (`helpdesk.site_tags`), read from the cache
    when the header of a staff page asks for it."""
    user = getattr(request, "user", None)
    return {"unread_notifications": lambda: unread.unread_count(user)}
