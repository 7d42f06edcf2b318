"""Form fields rendered once and kept: the queue's filter and bulk bars, an
empty reply form.

Each is the same HTML for every request with the same language, the same
values sent and the same lists behind its choices, and Django renders a
template or two per field and option: these fields were 12–14 % of the queue
page's CPU and about 3 of the staff ticket page's 50 million instructions.
The pages' targets (bench/README.md, "Cached HTML") missed without them.

A value is forgotten with the lists its choices come from (`also`): the
staff list, the macros. The language is part of every key; the release is
part of every cache key (`helpdesk/cache.py`), so a changed template is never
served from an older release's HTML. A form that came back with errors is
never cached: the caller renders it itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlencode

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from helpdesk.cache import VersionedCache

form_fields = VersionedCache("tickets:form-fields", kept_in_process=True)


def fields_html(
    key: str,
    form: Callable[[], forms.Form],
    template: str = "tickets/_form_fields.html",
    *,
    also: Iterable[VersionedCache] = (),
    context: Mapping[str, object] | None = None,
) -> SafeString:
    """The template rendered with `form()`, made only when the HTML is not
    kept. `key` names everything the HTML depends on besides the language and
    the caches in `also`."""
    html = form_fields.get(
        f"{key}:{get_language()}",
        lambda: str(render_to_string(template, {"form": form(), **(context or {})})),
        also=also,
    )
    return mark_safe(html)


def digest(values: Iterable[tuple[str, list[str]]]) -> str:
    """A short key for the values sent to a form's fields."""
    return hashlib.sha256(urlencode(list(values), doseq=True).encode()).hexdigest()[:24]
