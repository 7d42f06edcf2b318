"""An article's text as a page shows it: the tickets' Markdown and sanitiser,
then ids on its headings for the table of contents."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from tickets.markdown import render_markdown

# Where an article's pictures are served from (`knowledge:file`).
FILES_PATH = "/kb/files/"
# The sanitiser leaves headings without attributes, so this finds them all.
_HEADING = re.compile(r"<h([23])>(.*?)</h\1>", re.S)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class RenderedArticle:
    html: SafeString
    contents: list[Heading]


def render_article(body: str) -> RenderedArticle:
    """Sanitised HTML of the body, its second- and third-level headings
    given ids, and those headings for a table of contents.

    The ids are made here from the headings' text, never taken from the
    author: letters, digits and hyphens under a prefix of ours, so no id can
    clash with one of the page's own elements."""
    clean = render_markdown(body, images_under=FILES_PATH)
    contents: list[Heading] = []
    used: set[str] = set()

    def with_id(match: re.Match[str]) -> str:
        level, inner = int(match[1]), match[2]
        text = html.unescape(strip_tags(inner)).strip()
        base = "s-" + (slugify(text, allow_unicode=True) or "section")
        anchor, n = base, 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        contents.append(Heading(level, text, anchor))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    # Safe: the input is the sanitiser's output and each id is a slug.
    return RenderedArticle(mark_safe(_HEADING.sub(with_id, clean)), contents)
