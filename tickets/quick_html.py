"""HTML written in Python where a template's cost per item shows: the queue's
rows, the options of a select, the SLA timeline's segments (each measured in
bench/README.md). Django's admin writes its change list's rows the same way."""

from __future__ import annotations

import html


def escaped(value: object) -> str:
    """`conditional_escape` without its lazy-string wrapper: safe text as it is,
    anything else escaped as Django escapes it."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
