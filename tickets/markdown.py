"""Customer and staff text is Markdown; what reaches a page is sanitised HTML."""

from __future__ import annotations

import re
import threading
from functools import partial

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


def _safe_image_url(
    images_under: str, element: str, attribute: str, value: str
) -> str | None:
    # An image may only be a file of this site under the given path: no other
    # site learns who reads the page, and no URL can climb out of the path.
    if element == "img" and attribute == "src":
        squeezed = _IGNORED_IN_URLS.sub("", value)
        # Browsers read "%2e" as "." and "\\" as "/" in a path.
        if not squeezed.startswith(images_under) or any(
            part in squeezed.lower() for part in ("..", "%2e", "\\")
        ):
            return None
        return squeezed
    return _safe_url(element, attribute, value)


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


def render_markdown(text: str, *, images_under: str = "") -> SafeString:
    """Markdown to HTML, then through nh3 so that no HTML the author wrote can run.

    Messages show no images (their pictures are attachments). Given
    `images_under`, a path of this site such as "/kb/files/", an image whose
    address starts with it is kept (`![alt](/kb/files/…)`); any other is not.
    """
    tags, attributes, url_filter = ALLOWED_TAGS, ALLOWED_ATTRIBUTES, _safe_url
    if images_under:
        if not images_under.startswith("/") or images_under.startswith("//"):
            raise ValueError("images_under is a path of this site")
        tags = ALLOWED_TAGS | {"img"}
        attributes = {**ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title"}}
        url_filter = partial(_safe_image_url, images_under)
    html = _parser().reset().convert(text)
    clean = nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=url_filter,
        link_rel="noopener noreferrer nofollow",
    )
    # Safe: nh3 has just removed every tag, attribute and URL scheme not listed.
    return mark_safe(clean)
