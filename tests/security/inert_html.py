"""Finds markup in a page that could run script: what every rendered text must not add."""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "srcdoc",
    "ping",
}
NEVER = {
    "iframe",
    "object",
    "embed",
    "frame",
    "frameset",
    "applet",
    "base",
    "style",
    "portal",
}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>: event handler")
            if name in URL_ATTRIBUTES:
                scheme = _INVISIBLE.sub("", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"<{tag} {name}={value[:40]!r}>: script URL")
        if tag in NEVER:
            self.problems.append(f"<{tag}>: element that embeds or styles")
        if tag == "script":
            # Data islands (json_script) never run; anything else must be our file.
            data_island = values.get("type") == "application/json"
            self._in_script = not data_island
            src = values.get("src", "")
            if not data_island and not (
                src.startswith("/") and not src.startswith("//")
            ):
                self.problems.append(f"<script src={src[:40]!r}>: not this site's file")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append("<meta http-equiv>")
        # A page's canonical address and its other languages' load nothing;
        # "alternate stylesheet" would, so the rel must be exactly that.
        names_a_page = values.get("rel", "").strip().lower() in {
            "canonical",
            "alternate",
        } and values.get("href", "").startswith(("http://", "https://"))
        if (
            tag == "link"
            and not names_a_page
            and not values.get("href", "").startswith("/static/")
        ):
            self.problems.append(f"<link href={values.get('href', '')[:40]!r}>")
        if tag in {"form", "button", "input"} and "action" in values:
            action = values["action"]
            if (action and not action.startswith("/")) or action.startswith("//"):
                self.problems.append(f"<{tag} action={action[:40]!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def script_risks(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
