"""Text out of e-mail: HTML turned into plain text, and quoted history found.

Both are pure functions on strings: the raw message is kept elsewhere, so
nothing here needs to be lossless, only safe and readable.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "head", "title", "template", "noscript"}
_BLOCK = {
    "p",
    "div",
    "tr",
    "table",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0
        self.links: list[str] = []

    def _newline(self) -> None:
        self.parts.append("\n" + "> " * self.quote_depth)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self._newline()
        elif tag == "blockquote":
            self.quote_depth += 1
            self._newline()
        elif tag in _BLOCK:
            self._newline()
            if tag == "li":
                self.parts.append("- ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self._newline()
        elif tag in _BLOCK:
            self._newline()
        elif tag == "a" and self.links:
            href = self.links.pop()
            # Shown as text: the reader sees where a link goes before opening it.
            if href.startswith(("http://", "https://")) and href not in self.parts[-1:]:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body; no tag or script survives."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass
    text = "".join(parser.parts)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_MARKERS = [
    re.compile(r"^\s*-{2,}\s*(Original Message|Исходное сообщение)\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*On .{1,300}wrote:\s*$", re.I),
    re.compile(r"^.{1,300}(пишет|написал|написала|написал\(а\))\s*:\s*$", re.I),
]
_OUTLOOK_FROM = re.compile(r"^\s*\**(From|От|Von):\**\s", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*\**(Sent|Date|Отправлено|Дата|To|Кому):\**\s", re.I)


def split_quoted(text: str) -> tuple[str, str]:
    """The new text and the quoted history below it ("" when there is none).

    The history starts at an attribution line ("On … wrote:", "… пишет:"),
    an Outlook "-----Original Message-----" or "From:/Sent:" block, or a
    trailing run of lines that all start with ">". Inline answers between
    quoted lines stay visible: only a quoted tail is folded.
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        pair = line + " " + (lines[index + 1] if index + 1 < len(lines) else "")
        attribution = any(marker.match(line) for marker in _MARKERS) or (
            # Gmail wraps a long "On … wrote:" over two lines.
            line.lstrip().startswith("On ") and _MARKERS[2].match(pair.strip())
        )
        outlook = _OUTLOOK_FROM.match(line) and any(
            _OUTLOOK_NEXT.match(following) for following in lines[index + 1 : index + 4]
        )
        quoted_tail = line.startswith(">") and all(
            following.startswith(">") or not following.strip()
            for following in lines[index:]
        )
        if attribution or outlook or quoted_tail:
            head = "\n".join(lines[:index]).rstrip()
            if not head.strip():
                return text, ""  # nothing new above it: show it all
            return head, "\n".join(lines[index:]).strip()
    return text, ""
