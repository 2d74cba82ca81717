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


_NAME_CORRECTION = re.compile(
    r"^(?:sorry|oops|actually|wait|perd[oó]n|disculpa|disculpe|en\s+realidad|no)[,.!\s]+"
    r"(?:(?:my\s+name\s+is|my\s+full\s+name\s+is|it'?s|it\s+is|i'?m|i\s+am|me\s+llamo|"
    r"mi\s+nombre\s+(?:completo\s+)?es|soy)\s+)(?P<name>.+)$",
    re.IGNORECASE,
)


def name_correction(text: str, name: str) -> str | None:
    """A corrected name given when the address was asked for: "sorry, it's Sarah Connor",
    or the same name in full ("Sarah Connor" after "Sarah")."""
    match = _NAME_CORRECTION.match(text.strip())
    if match:
        return extract_name(match.group("name"))
    full = extract_name(text)
    if full and full.lower().startswith(name.lower() + " "):
        return full
    return None


_ADDRESS_INTRO = re.compile(
    r"^(?:(?:ok|okay|sure|claro|yes|si|sí)[,!. ]+)*"
    r"(?:(?:my|the)\s+(?:delivery\s+)?address\s+is|(?:delivery\s+)?address:|it'?s|it\s+is|"
    r"i\s+live\s+(?:at|in|on)|deliver\s+(?:it\s+)?to|send\s+it\s+to|"
    r"(?:mi|la)\s+direcci[oó]n\s+(?:de\s+entrega\s+)?es|direcci[oó]n:|vivo\s+en|es|"
    r"entr[eé]gal[oa]s?\s+en|env[ií]al[oa]s?\s+a)\s+",
    re.IGNORECASE,
)
_NOT_AN_ADDRESS = re.compile(
    r"\?|^(?:yes|no|yeah|nope|ok|okay|si|sí|correct|correcto|right|thanks|gracias)\b",
    re.IGNORECASE,
)


def clean_address(text: str) -> str | None:
    """The address as written, if it plausibly is one (some letters, a few words, not a
    question or a yes): "vivo en Av. Bolívar 25" → "Av. Bolívar 25"."""
    address = " ".join(text.strip().removeprefix("📍").split()).strip(" .")
    address = _ADDRESS_INTRO.sub("", address).strip(" .")
    if _NOT_AN_ADDRESS.search(address):
        return None
    letters = sum(ch.isalpha() for ch in address)
    if len(address) < 5 or len(address) > 300 or letters < 3 or len(address.split()) < 2:
        return None
    return address


_ADDRESS_CHANGE = re.compile(
    r"\b(?:"
    r"(?:send|deliver|ship)\s+(?:it|them|this|everything|my\s+order|the\s+order)\s+to"
    r"|(?:change|update)\s+(?:my\s+|the\s+)?(?:delivery\s+|shipping\s+)?address(?:\s+to)?"
    r"|(?:my\s+)?new\s+address\s+is"
    r"|(?:cambi|actualiz|modific)\w*\s+(?:mi\s+|la\s+)?direcci[oó]n(?:\s+de\s+entrega)?"
    r"(?:\s+(?:a|por))?"
    r"|(?:env[ií]|entr[eé]g|mand|despach)\w*(?:lo|la|los|las)\s+(?:a|en)"
    r"|mi\s+nueva\s+direcci[oó]n\s+es"
    r")\b[\s:,]*(?P<address>.*)$",
    re.IGNORECASE,
)


def address_change(text: str) -> str | None:
    """The new delivery address a message asks for ("send it to 9 Pine St", "cambia mi
    dirección a Calle Real 5"), "" when it asks to change it without saying where, None
    when it is not about the address."""
    match = _ADDRESS_CHANGE.search(text.strip())
    if match is None:
        return None
    # "can you deliver it to my office instead? 500 Main St": the address may follow the
    # question, after words for the place
    for piece in reversed(match.group("address").split("?")):
        address = _PLACE_WORDS.sub("", _TRAILING_WORDS.sub("", piece.strip(" ?!.,")))
        cleaned = clean_address(address.strip(" ,.:"))
        if cleaned:
            return cleaned
    return ""


_PLACE_WORDS = re.compile(
    r"^(?:my|the|mi|la|el)\s+(?:office|work|house|home|place|oficina|trabajo|casa)\b"
    r"(?:\s+(?:instead|en\s+vez))?[\s,:]*(?:(?:at|in|on|en)\s+)?",
    re.IGNORECASE,
)
_TRAILING_WORDS = re.compile(
    r"(?:[\s,]+(?:instead|please|thanks|por\s+favor|mejor|gracias|en\s+vez))+$", re.IGNORECASE
)


_ADDRESS_PART = re.compile(
    r"^(?:es\s+|is\s+|it'?s\s+)?(?P<word>[^\W\d_]+\.?)\s+(?P<value>\S+)$", re.I
)


def corrected_address(text: str, address: str) -> str | None:
    """A part of the address corrected on its own: "no, es casa 14" makes "…, casa 12, …"
    "…, casa 14, …" (the same word, a new number or name after it)."""
    match = _ADDRESS_PART.match(text.strip(" .!"))
    if match is None:
        return None
    part = re.compile(rf"\b{re.escape(match.group('word'))}\s+[^\s,]+", re.IGNORECASE)
    if not part.search(address):
        return None
    return part.sub(f"{match.group('word')} {match.group('value')}", address, count=1)


def split_name_and_address(text: str) -> tuple[str | None, str | None]:
    """ "I'm John Smith, 5 Oak Ave, Boston": the name, and an address given with it (one
    with a house number), if any."""
    name = extract_name(text)
    if name is None:
        return None, None
    parts = re.split(r",| and | y ", text, maxsplit=1)
    rest = parts[1] if len(parts) > 1 else ""
    address = clean_address(rest) if re.search(r"\d", rest) else None
    return name, address


def first_name(name: str) -> str:
    """How the assistant addresses a customer: "Ana Pérez" → "Ana"."""
    return name.split()[0] if name.split() else name
