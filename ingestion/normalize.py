"""Normalisation before comparing: the same product written twice must hash the same."""

from __future__ import annotations

import html
import re
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


@lru_cache(maxsize=65_536)
def clean_text(value: str) -> str:
    """Trim and collapse every run of whitespace (including \\r and \\n) to one space.
    Cached: a fetcher repeats every field once per warehouse."""
    return _SPACE.sub(" ", value).strip()


@lru_cache(maxsize=4096)
def clean_html(value: str) -> str:
    """Text of an HTML fragment: scripts, styles and comments dropped, tags turned into
    spaces, entities decoded. Cached: a fetcher repeats each description per warehouse."""
    if "<" not in value and "&" not in value:
        return clean_text(value)
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", value))
    return clean_text(html.unescape(text))


@lru_cache(maxsize=1024)
def warehouse_name(value: str) -> str:
    """One spelling per warehouse: "ALMACEN  principal " → "Almacen Principal"."""
    return " ".join(word.capitalize() for word in clean_text(value).split(" "))
