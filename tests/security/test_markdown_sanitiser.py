from __future__ import annotations

import pytest

from tests.security.inert_html import script_risks
from tickets.markdown import render_markdown


@pytest.mark.parametrize(
    "text",
    [
        '<a href="jav\tascript:alert(1)">x</a>',
        "[y](jav&#x09;ascript:alert(2))",
        "[z](\x01javascript:alert(3))",
        "![i](data:image/svg+xml;base64,PHN2Zz4=)",
        '<img src=x onerror="alert(4)">',
        "<svg><script>alert(5)</script></svg>",
    ],
)
def test_hostile_markdown_renders_inert(text) -> None:
    assert script_risks(str(render_markdown(text))) == []


def test_ordinary_links_survive() -> None:
    html = str(render_markdown("[docs](https://example.com/a) и [тикеты](/tickets/)"))

    assert 'href="https://example.com/a"' in html
    assert 'href="/tickets/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_the_same_text_renders_the_same_twice() -> None:
    """One parser serves a thread, reset between texts: nothing of one text
    may leak into the next."""
    text = "**Ошибка** <script>alert(1)</script> [x](javascript:alert(1))"
    first = render_markdown(text)
    render_markdown("| a | b |\n| - | - |\n| 1 | 2 |\n\n```\ncode\n```")

    assert render_markdown(text) == first
    assert script_risks(str(first)) == []
