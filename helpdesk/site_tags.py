"""Parts of every page that depend on a few values alone, rendered once per
process for those values: the header (the menu for this kind of user, the
language switcher), the footer, help text that depends on the language only.

`base.html`'s header and footer were 5.6 million of the staff ticket page's
40 million instructions, and the pages' p95 missed its 50 ms (bench/README.md,
"Cached HTML"). Each part is a pure function of the values in its key: there
is nothing to forget, and a changed name or role is a new key. The CSRF token,
the page's path and staff's unread notifications differ on every request: the part is rendered with
stand-ins, random per process so that no text a user typed can contain them,
and the real values are put in their place. Rendered every time while
`DEBUG`, where templates change under a running server.
"""

from __future__ import annotations

import functools
import secrets

from django import template
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_TOKEN = f"csrf{secrets.token_hex(16)}"
_PATH = f"path{secrets.token_hex(16)}"
_UNREAD = f"unread{secrets.token_hex(16)}"


def _kept(template_name: str, values: tuple[tuple[str, object], ...]) -> str:
    if settings.DEBUG:
        return str(render_to_string(template_name, dict(values)))
    return _rendered(template_name, values, get_language())


@functools.lru_cache(maxsize=1024)
def _rendered(
    template_name: str, values: tuple[tuple[str, object], ...], language: str
) -> str:
    return str(render_to_string(template_name, dict(values)))


@register.simple_tag
def per_language(template_name: str) -> SafeString:
    """A template that depends on the language alone (help text such as the
    keyboard shortcuts' dialog)."""
    return mark_safe(_kept(template_name, ()))


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:  # a page rendered without its request: as for anyone
        user = AnonymousUser()
    # Staff have no membership: not looked for (a query every page).
    manager = (
        user.is_authenticated
        and not user.is_staff
        and user.managed_membership is not None
    )
    staff = user.is_authenticated and user.is_staff
    values = (
        ("authenticated", user.is_authenticated),
        ("staff", staff),
        (
            "dashboard",
            user.is_authenticated
            and user.is_staff
            and user.has_perm("tickets.view_dashboard"),
        ),
        ("manager", manager),
        ("short_name", user.get_short_name() if user.is_authenticated else ""),
        ("email", user.email if user.is_authenticated else ""),
        ("csrf_token", _TOKEN),
        ("path", _PATH),
        ("unread", _UNREAD),
    )
    html = _kept("_site_header.html", values)
    token = get_token(request) if request is not None else ""
    path = request.get_full_path() if request is not None else ""
    return mark_safe(
        html.replace(_TOKEN, token)
        .replace(_PATH, conditional_escape(path))
        .replace(_UNREAD, _unread_badge(context) if staff else "")
    )


def _unread_badge(context: template.Context) -> str:
    """Staff's unread notifications: a count the `notifications` app's
    context processor reads from the cache when asked (no query)."""
    count = context.get("unread_notifications")
    count = count() if callable(count) else 0
    if not count:
        return ""
    text = "99+" if count >= 100 else str(count)
    return f' <span class="badge badge-new">{text}</span>'


@register.simple_tag
def site_footer() -> SafeString:
    values = (
        ("email", settings.SUPPORT_EMAIL),
        ("phone", settings.SUPPORT_PHONE),
        ("telegram", settings.SUPPORT_TELEGRAM),
    )
    return mark_safe(_kept("_site_footer.html", values))
