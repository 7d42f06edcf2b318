from __future__ import annotations

import datetime

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
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


# Pages list dozens of times; Django's `date` filter parses its format and
# localises every call, while these formats have no words to translate.
@register.filter
def day_time(moment: datetime.datetime | None) -> str:
    """As `date:"d.m.Y H:i"`, 25.11.2026 14:03, in the user's time zone."""
    return localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else ""


@register.filter
def day_month_time(moment: datetime.datetime | None) -> str:
    """As `date:"d.m H:i"`, 25.11 14:03, in the user's time zone."""
    return localtime(moment).strftime("%d.%m %H:%M") if moment else ""


@register.filter
def iso(moment: datetime.datetime | None) -> str:
    """As `date:"c"`, for <time datetime>, in the user's time zone."""
    return localtime(moment).isoformat() if moment else ""


@register.simple_tag
def sla_clock(clock, due: datetime.datetime | None) -> SafeString:
    """A queue row's SLA cell; a tag, not an include, because the queue shows
    one per row (an include costs a template lookup and a context each time)."""
    if clock.kind == "paused":
        return format_html('<span class="sla-clock sla-paused">{}</span>', _("paused"))
    if clock.kind not in ("overdue", "running"):
        return SafeString("—")
    time = support_time(clock.support_time)
    if clock.kind == "overdue":
        css, text = " sla-overdue", _("overdue %(time)s") % {"time": time}
    else:
        soon = clock.support_time.total_seconds() <= 3600
        css, text = " sla-soon" if soon else "", _("%(time)s left") % {"time": time}
    return format_html(
        '<span class="sla-clock{}" title="{}">{}</span>',
        css,
        day_time(due),
        text,
    )


@register.filter
def negate(duration: datetime.timedelta | None) -> datetime.timedelta | None:
    return -duration if duration is not None else None
