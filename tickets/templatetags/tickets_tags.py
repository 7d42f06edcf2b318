from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import SafeString

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
