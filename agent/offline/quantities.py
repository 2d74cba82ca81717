"""Quantities and units as shoppers write them: "2 kg", "dos kilos", "a dozen", "un par"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from storage.text import fold

NUMBER_WORDS: dict[str, Decimal] = {
    "a": Decimal(1),
    "an": Decimal(1),
    "one": Decimal(1),
    "un": Decimal(1),
    "una": Decimal(1),
    "uno": Decimal(1),
    "two": Decimal(2),
    "dos": Decimal(2),
    "three": Decimal(3),
    "tres": Decimal(3),
    "four": Decimal(4),
    "cuatro": Decimal(4),
    "five": Decimal(5),
    "cinco": Decimal(5),
    "six": Decimal(6),
    "seis": Decimal(6),
    "seven": Decimal(7),
    "siete": Decimal(7),
    "eight": Decimal(8),
    "ocho": Decimal(8),
    "nine": Decimal(9),
    "nueve": Decimal(9),
    "ten": Decimal(10),
    "diez": Decimal(10),
    "eleven": Decimal(11),
    "once": Decimal(11),
    "twelve": Decimal(12),
    "doce": Decimal(12),
    "fifteen": Decimal(15),
    "quince": Decimal(15),
    "twenty": Decimal(20),
    "veinte": Decimal(20),
    "half": Decimal("0.5"),
    "medio": Decimal("0.5"),
    "media": Decimal("0.5"),
    "couple": Decimal(2),
    "par": Decimal(2),
    "pair": Decimal(2),
}

# Unit words, folded, mapped to the catalog's units (or a counted container).
UNIT_WORDS: dict[str, str] = {
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "kilogramo": "kg",
    "kilogramos": "kg",
    "g": "g",
    "gr": "g",
    "grams": "g",
    "gramos": "g",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "libra": "lb",
    "libras": "lb",
    "dozen": "dozen",
    "dozens": "dozen",
    "docena": "dozen",
    "docenas": "dozen",
    "pack": "pack",
    "packs": "pack",
    "package": "pack",
    "packages": "pack",
    "packet": "pack",
    "packets": "pack",
    "paquete": "pack",
    "paquetes": "pack",
    "bag": "pack",
    "bags": "pack",
    "bolsa": "pack",
    "bolsas": "pack",
    "box": "pack",
    "boxes": "pack",
    "caja": "pack",
    "cajas": "pack",
    "can": "unit",
    "cans": "unit",
    "lata": "unit",
    "latas": "unit",
    "bottle": "unit",
    "bottles": "unit",
    "botella": "unit",
    "botellas": "unit",
    "unit": "unit",
    "units": "unit",
    "unidad": "unit",
    "unidades": "unit",
    "loaf": "unit",
    "loaves": "unit",
    "piece": "unit",
    "pieces": "unit",
    "pieza": "unit",
    "piezas": "unit",
    "liter": "l",
    "liters": "l",
    "litre": "l",
    "litres": "l",
    "litro": "l",
    "litros": "l",
}

SIZE_WORDS = frozenset(
    {
        "inch",
        "inches",
        "in",
        "pulgada",
        "pulgadas",
        "gb",
        "tb",
        "mb",
        "mp",
        "w",
        "watts",
        "mah",
        "hz",
        "cm",
        "mm",
        "ml",
        "cc",
        "pies",
        "feet",
        "ft",
        "speeds",
        "velocidades",
    }
)
"""Words after a number that make it a size in a product's name, not an amount."""
_CONNECTORS = frozenset({"of", "de", "del"})
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount and, when the shopper said one, its unit (kg, g, lb, dozen, pack, unit, l)."""

    amount: Decimal
    unit: str | None = None


def _number(word: str) -> Decimal | None:
    if _NUMBER.match(word):
        try:
            return Decimal(word.replace(",", "."))
        except InvalidOperation:
            return None
    return NUMBER_WORDS.get(word)


_SIX_PACK = re.compile(r"\bsix[\s-]?(?=packs?\b)")
"""A six-pack is one pack of six ("un six pack de cerveza")."""


def split_quantity(fragment: str) -> tuple[Quantity | None, str]:
    """Split a leading quantity off an item phrase: "2 kg of red apples" → (2 kg, "red apples").

    Returns (None, phrase) when the phrase starts with no quantity.
    """
    words = _tokens(_SIX_PACK.sub("", fragment))
    amount: Decimal | None = None
    unit: str | None = None
    i = 0
    if i < len(words) and words[i] in ("a", "un", "una") and i + 1 < len(words):
        # "a couple of", "un par de", "a half kilo", "media docena"
        following = NUMBER_WORDS.get(words[i + 1])
        if following is not None and words[i + 1] not in ("a", "an", "un", "una", "uno"):
            i += 1
    if i < len(words):
        amount = _number(words[i])
        if amount is not None and i + 1 < len(words) and words[i + 1] in SIZE_WORDS:
            return None, " ".join(words)  # "55 inch", "128 GB": part of the name
        if amount is not None:
            i += 1
            if (
                amount == Decimal("0.5")
                and words[i : i + 1] in (["a"], ["an"])
                and i + 1 < len(words)
                and words[i + 1] in UNIT_WORDS
            ):
                i += 1  # "half a kilo", "half a dozen"
            # "1 and a half", "dos y medio"
            if words[i : i + 3] == ["and", "a", "half"]:
                amount += Decimal("0.5")
                i += 3
            elif words[i : i + 2] in (["y", "medio"], ["y", "media"], ["and", "half"]):
                amount += Decimal("0.5")
                i += 2
    if i < len(words) and words[i] in UNIT_WORDS:
        unit = UNIT_WORDS[words[i]]
        i += 1
        if amount is None:
            amount = Decimal(1)
        if i + 1 < len(words) and words[i] in ("y", "and") and words[i + 1] in ("medio", "half"):
            amount += Decimal("0.5")
            i += 2
        elif words[i : i + 3] == ["and", "a", "half"]:  # "1 kg and a half"
            amount += Decimal("0.5")
            i += 3
    if amount is None:
        return None, " ".join(words)
    while i < len(words) and words[i] in _CONNECTORS:
        i += 1
    return Quantity(amount, unit), " ".join(words[i:])


_FRACTIONS = {"1/2": "0.5", "1/4": "0.25", "3/4": "0.75"}
_FRACTION = re.compile(
    r"(?<![\d/])(?:1/2|1/4|3/4)(?=\s*(?:kg|kgs|kilos?|g|gr|gramos|lb|lbs|libras?|pounds?|l"
    r"|litros?|liters?|litres?|docenas?|dozen)\b)"
)


def decimal_fractions(text: str) -> str:
    """ "1/2 kg" → "0.5 kg": the fractions people weigh things in, as decimals (a size in a
    name stays as written: "tubo PVC 3/4")."""
    return _FRACTION.sub(lambda match: _FRACTIONS[match.group()], text)


def _tokens(text: str) -> list[str]:
    # Keep decimal commas and points inside numbers; fold everything else.
    text = re.sub(r"(\d),(\d)", r"\1.\2", text.lower())
    text = decimal_fractions(text)
    text = re.sub(r"(\d)\s*(kg|kgs|g|gr|lb|lbs|l)\b", r"\1 \2", text)
    words = []
    for raw in text.split():
        if _NUMBER.match(raw):
            words.append(raw)
        else:
            words.extend(fold(raw).split())
    return words
