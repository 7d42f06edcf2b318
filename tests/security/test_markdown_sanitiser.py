from __future__ import annotations

import pytest

from tests.security.inert_html import script_risks
from tickets.markdown import (
    REMEMBERED_TEXT_LENGTH,
    _remembered,
    _render,
    render_markdown,
)


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


def test_a_remembered_text_renders_as_a_fresh_one() -> None:
    text = "**Ошибка** <script>alert(1)</script> [x](javascript:alert(1))"
    first = render_markdown(text)
    hits = _remembered.cache_info().hits

    assert render_markdown(text) == first == _render(text)
    assert _remembered.cache_info().hits == hits + 1
    assert script_risks(str(first)) == []


def test_a_long_text_is_not_remembered() -> None:
    text = "слово " * REMEMBERED_TEXT_LENGTH
    size = _remembered.cache_info().currsize

    assert render_markdown(text).startswith("<p>слово")
    assert _remembered.cache_info().currsize == size
