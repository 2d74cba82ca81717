"""Names and addresses as new customers type them."""

from __future__ import annotations

import re

from storage.text import unaccented

_NAME_INTRO = re.compile(
    r"^(?:(?:hi|hello|hey|hola|buenas|ok|okay|sure|claro|yes|si|sí)[,!. ]+)*"
    r"(?:my name is|my name's|name is|i am|i'm|im|it's|it is|this is|call me|"
    r"me llamo|mi nombre es|soy|nombre:|name:)\s+",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+\.?){0,5}$")

_REQUEST = re.compile(
    r"\?|\b(?:need|want|wanna|gimme|give|add|remove|delete|buy|order|have|how|what|which|"
    r"where|when|price|cost|costs|cart|checkout|show|sell|carry|looking|cheapest|cheap|"
    r"something|anything|necesito|necesita|quiero|kiero|quisiera|queria|dame|deme|damelo|"
    r"regalame|mandame|tienen|tienes|tiene|hay|vende|venden|vendes|busco|cuanto|cuanta|"
    r"cuantos|cual|cuales|que|donde|precio|cuesta|cuestan|carrito|pedido|agrega|agregame|"
    r"anade|quita|saca|elimina|llevo|barato|algo)\b"
)
"""Words of asking and shopping: a message with one is a request, not a name or an
address (matched on accent-free lower case)."""

_NOT_IN_NAMES = frozenset(
    "the a an un una unos unas lo it them those these that this ese esa eso esos esas este "
    "esta esto one ones uno bueno ok okay well so pues listo done bien perfecto gracias "
    "thanks please porfa also tambien mejor about for para con with some nothing nada more "
    "only solo just no si yes yeah yep nope sip confirmo confirm correcto correct claro".split()
)
"""Words a message can share with a name's shape but that no name has."""


_SMALL_TALK = re.compile(
    r"[\s,.!¿]+(?:(?:and|y)\s+(?:you|t[uú]|usted)|how\s+are\s+you|c[oó]mo\s+est[aá]s?)"
    r"[\s?!.]*$",
    re.IGNORECASE,
)
"""A courtesy after the name ("John, and you?", "Ana, ¿cómo estás?"): not a request."""


def is_request(text: str) -> bool:
    """Whether a message asks for something ("¿tienen margarina?", "dame un aceite",
    "how much is it"): during registration, that is a question for later, not an answer."""
    return _REQUEST.search(unaccented(text)) is not None


def extract_name(text: str) -> str | None:
    """A person's name from "My name is John Carter", "soy Ana", or just "John Carter";
    None for a request ("necesito un cargador", "remove the oil", "bueno, dame un aceite")
    or a list of things ("bread, eggs and butter"), which are not anyone's name."""
    text = _SMALL_TALK.sub("", text)
    if is_request(text):
        return None
    candidate = _NAME_INTRO.sub("", text.strip()).strip(" .!,")
    pieces = re.split(r"[,.!]| and | y ", candidate)
    candidate = pieces[0].strip()
    if not candidate or len(candidate) > 80 or not _NAME.match(candidate):
        return None
    words = candidate.split()
    if len(words) > 5 or _NOT_IN_NAMES.intersection(unaccented(word) for word in words):
        return None
    if len(pieces) > 2 and not re.search(r"\d", text):
        return None  # "bread, eggs and butter": three of something, and no address after
    return " ".join(
        w if any(c.isupper() for c in w) or (n and w in _PARTICLES) else w.capitalize()
        for n, w in enumerate(words)
    )


_PARTICLES = frozenset("de del la las los y van von da di du le".split())
"""The small words inside names, written in lower case: "María de los Ángeles"."""


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
    if _NOT_AN_ADDRESS.search(address) or is_request(address):
        return None
    letters = sum(ch.isalpha() for ch in address)
    if len(address) < 5 or len(address) > 300 or letters < 3 or len(address.split()) < 2:
        return None
    if not re.search(r"\d", address) and not _ADDRESS_WORD.search(unaccented(address)):
        return None  # "the white bread": no number and no street, nowhere to deliver
    return address


_ADDRESS_WORD = re.compile(
    r"\b(?:calle|c/|avenida|av|ave|avenue|street|st|road|rd|boulevard|blvd|lane|ln|drive|"
    r"dr|way|court|ct|place|pl|casa|house|apt|apto|apartamento|apartment|piso|floor|"
    r"edificio|edif|edf|torre|tower|urbanizacion|urb|sector|barrio|residencias?|res|"
    r"conjunto|manzana|mz|km|carrera|cra|transversal|diagonal|esquina|entre|frente|cerca|"
    r"near|plaza|zona|parroquia|municipio|quinta|qta|local|oficina|office|suite|unit|"
    r"block|lote|parcela|caserio|carretera|via|vereda|callejon|pasaje|paseo|centro)\b"
)
"""Words that say a message without a house number is still a place: "Urb. El Paraíso,
Caracas", "Edificio Sol, piso 3"."""


_ADDRESS_CHANGE = re.compile(
    r"\b(?:"
    r"(?:send|deliver|ship)\s+(?:it|them|this|everything|my\s+order|the\s+order)\s+to"
    r"|(?:change|update)\s+(?:my\s+|the\s+)?(?:delivery\s+|shipping\s+)?address(?:\s+to)?"
    r"|(?:my\s+)?new\s+address\s+is"
    r"|(?:cambi|actualiz|modific)\w*\s+(?:mi\s+|la\s+)?direcci[oó]n(?:\s+de\s+entrega)?"
    r"(?:\s+(?:a|por))?"
    r"|(?:env[ií]|entr[eé]g|mand|despach)\w*(?:lo|la|los|las)\s+(?:a|en)"
    r"|(?:env[ií]\w*|entreg\w*|mand\w*|llev\w*|ship|send|deliver)\s+(?:it\s+|them\s+)?"
    r"(?:a|to)\s+(?:otra|una\s+nueva|another|a\s+different|a\s+new|other)\s+"
    r"(?:direcci[oó]n|address)"
    r"|mi\s+nueva\s+direcci[oó]n\s+es"
    r")\b[\s:,]*(?P<address>.*)$",
    re.IGNORECASE,
)


def address_change(text: str) -> str | None:
    """The new delivery address a message asks for ("send it to 9 Pine St", "cambia mi
    dirección a Calle Real 5"), "" when it asks to change it without saying where, None
    when it is not about the address."""
    match = _ADDRESS_CHANGE.search(text.strip()) or _DELIVER_TO_NUMBER.search(text.strip())
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


_DELIVER_TO_NUMBER = re.compile(
    r"\b(?:send|deliver|ship|env[ií]\w*|entreg\w*|mand\w*|llev\w*)\s+(?:to|a)\s+"
    r"(?P<address>[^?]*\d.*)$",
    re.IGNORECASE,
)
"""'deliver to 45 Oak Street': an address with a number ("do you deliver to Maracay?" asks
where the store delivers)."""
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
