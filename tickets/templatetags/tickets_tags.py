from __future__ import annotations

import datetime

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tickets.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text or "")


@register.filter
def file_size(size: int) -> str:
    return filesizeformat(size)


@register.filter
def quote_parts(message) -> tuple[str, str]:
    """(new text, quoted history) of an e-mailed message; the history is folded."""
    from tickets.email_text import split_quoted

    if message.channel != "email":
        return message.body, ""
    return split_quoted(message.body)


@register.filter
def support_time(duration: datetime.timedelta | None) -> str:
    """A span of support time as hours and minutes ("26 h 05 min"), never days:
    a support day is not 24 hours."""
    if duration is None:
        return ""
    minutes = max(int(duration.total_seconds() // 60), 0)
    return _("%(hours)d h %(minutes)02d min") % {
        "hours": minutes // 60,
        "minutes": minutes % 60,
    }


@register.filter
def negate(duration: datetime.timedelta | None) -> datetime.timedelta | None:
    return -duration if duration is not None else None
