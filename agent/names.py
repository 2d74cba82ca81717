"""Names and addresses as new customers type them."""

from __future__ import annotations

import re

_NAME_INTRO = re.compile(
    r"^(?:(?:hi|hello|hey|hola|buenas|ok|okay|sure|claro|yes|si|sí)[,!. ]+)*"
    r"(?:my name is|my name's|name is|i am|i'm|im|it's|it is|this is|call me|"
    r"me llamo|mi nombre es|soy|nombre:|name:)\s+",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+\.?){0,5}$")


def extract_name(text: str) -> str | None:
    """A person's name from "My name is John Carter", "soy Ana", or just "John Carter"."""
    candidate = _NAME_INTRO.sub("", text.strip()).strip(" .!,")
    candidate = re.split(r"[,.!]| and | y ", candidate)[0].strip()
    if not candidate or len(candidate) > 80 or not _NAME.match(candidate):
        return None
    words = candidate.split()
    if len(words) > 5:
        return None
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)


def clean_address(text: str) -> str | None:
    """The address as written, if it plausibly is one (some letters, a few words)."""
    address = " ".join(text.strip().removeprefix("📍").split()).strip(" .")
    for prefix in ("my address is ", "mi dirección es ", "mi direccion es ", "it's ", "es "):
        if address.lower().startswith(prefix):
            address = address[len(prefix) :]
    letters = sum(ch.isalpha() for ch in address)
    if len(address) < 5 or len(address) > 300 or letters < 3 or len(address.split()) < 2:
        return None
    return address


def first_name(name: str) -> str:
    """How the assistant addresses a customer: "Ana Pérez" → "Ana"."""
    return name.split()[0] if name.split() else name
