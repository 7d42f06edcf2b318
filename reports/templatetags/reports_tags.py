from __future__ import annotations

import datetime

from django import template
from django.utils.translation import gettext as _

from tickets.templatetags.tickets_tags import support_time

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


@register.filter
def seconds_as_support_time(seconds: float | None) -> str:
    return "" if seconds is None else support_time(datetime.timedelta(seconds=seconds))


@register.simple_tag
def change(now: int, before: int) -> str:
    """How a count moved since the period before: "+12 (+15%)", "−3", "="."""
    difference = now - before
    if difference == 0:
        return _("no change")
    sign = "+" if difference > 0 else "−"
    if not before:
        return f"{sign}{abs(difference)}"
    return f"{sign}{abs(difference)} ({sign}{abs(difference) / before * 100:.0f}%)"
