"""Normalisation before comparing: the same product written twice must hash the same."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "h1", "h2", "h3", "h4"})


def clean_text(value: str) -> str:
    """Trim and collapse every run of whitespace (including \\r and \\n) to one space."""
    return _SPACE.sub(" ", value).strip()


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def clean_html(value: str) -> str:
    """Text of an HTML fragment (tags, scripts and styles dropped, entities decoded)."""
    if "<" not in value and "&" not in value:
        return clean_text(value)
    parser = _TextOnly()
    parser.feed(value)
    parser.close()
    return clean_text(html.unescape("".join(parser.parts)))


def warehouse_name(value: str) -> str:
    """One spelling per warehouse: "ALMACEN  principal " → "Almacen Principal"."""
    return " ".join(word.capitalize() for word in clean_text(value).split(" "))
