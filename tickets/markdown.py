"""Customer and staff text is Markdown; what reaches a page is sanitised HTML."""

from __future__ import annotations

import re
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
# Browsers drop tabs, newlines and control characters inside URLs, so
# "jav\tascript:" runs as "javascript:" although it does not look like a scheme.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:")


def _safe_url(element: str, attribute: str, value: str) -> str | None:
    if attribute not in {"href", "src"}:
        return value
    squeezed = _IGNORED_IN_URLS.sub("", value).lower()
    if _SCHEME.match(squeezed) and not squeezed.startswith(ALLOWED_SCHEMES):
        return None
    return value


# Building a Markdown parser costs more than converting a message with it, so
# each thread keeps one and resets it between texts (a parser is not thread-safe).
_parsers = threading.local()


def _parser() -> markdown_lib.Markdown:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = markdown_lib.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "nl2br"],
            output_format="html",
        )
    return parser


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then through nh3 so that no HTML the author wrote can run."""
    html = _parser().reset().convert(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_safe_url,
        link_rel="noopener noreferrer nofollow",
    )
    # Safe: nh3 has just removed every tag, attribute and URL scheme not listed.
    return mark_safe(clean)
