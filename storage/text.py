"""Text normalisation shared by catalog writes and searches.

The embedded PostgreSQL has no `unaccent`, so accents are folded here, on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_NON_WORD = re.compile(r"[^a-z0-9]+")

STOPWORDS = frozenset(
    """
    a al algo algun alguna alguno an and any are busco buscando con cual cuales de del do does
    el en es esta estan este esto for from have has hay i in is it la las le lo los me mi
    necesito of on or para por que quiero some tiene tienen the this to un una uno unos unas
    usted ustedes venden we with y you your
    bueno buenos buena buenas good nice great best mejor mejores quality calidad
    """.split()
)


def unaccented(text: str) -> str:
    """Lower case without accents, punctuation kept: "¿Cuánto?" → "¿cuanto?"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse whitespace. Remembered: a
    turn folds the same product names and descriptions as the turns before it."""
    return _NON_WORD.sub(" ", unaccented(text)).strip()


def stem(word: str) -> str:
    """A crude plural stripper good enough for prefix matching in Spanish and English."""
    if len(word) > 4 and word.endswith("es") and word[-3] in "rlnsdz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    if len(word) == 3 and word.endswith("s") and not set(word[:2]) & set("aeiou"):
        return word[:-1]  # "tvs", "pcs"
    return word


def query_terms(query: str) -> list[str]:
    """Search terms of a free-text query: folded, without stop words, plural-stripped."""
    terms: list[str] = []
    for word in fold(query).split():
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        term = stem(word)
        if term not in terms:
            terms.append(term)
    return terms


def names_it(name: str, terms: Sequence[str], brand: str | None = None) -> bool:
    """The product name starts with what the query asks for (its `query_terms`), and has
    its other words: "Tomates" for "tomates", not "Salsa de tomate"; "Café molido" for
    "café", not "Cafetera" (a plural ending at most, not another word). A name that starts
    with its brand names the maker, not the thing: "apples" is not "Apple MacBook Air"."""
    words = fold(name).split()
    maker = fold(brand or "").split()
    # The other words may name the maker: "harina pan" is the flour of the brand "P.A.N."
    described = words + fold((brand or "").replace(".", "")).split()
    return (
        bool(terms)
        and bool(words)
        and (not maker or words[: len(maker)] != maker)
        and words[0].startswith(terms[0])
        and len(words[0]) - len(terms[0]) <= 2
        and all(any(word.startswith(term) for word in described) for term in terms[1:])
    )


def naming_terms(query: str) -> list[str]:
    """The `query_terms` that say what the product is: "tv", not "2", "kg" or "55"."""
    return [
        term
        for term in query_terms(query)
        if len(term) > 1 and term not in _MEASURES and not any(ch.isdigit() for ch in term)
    ]


_MEASURES = frozenset(
    "kg gr lb oz ml cl lt cc cm mm mt km gb mb tb hz mp pz un xs xl ft in "
    "kilo kilogramo gramo litro libra unidad unidade docena dozen pound liter litre gram "
    "unit pack paquete lata".split()
)
"""Words that measure rather than name (after `stem`: "kilos" is "kilo")."""


def missing_terms(terms: Sequence[str], text: str) -> list[str]:
    """The query's `terms` (its `naming_terms`) that `text` does not have, in any number
    or gender, or at the end of a compound: "charcoal" is missing from "Gas stove with
    oven", nothing from "Six-pack of beer cans" for "beer", nor from "smartphone" for
    "phones"."""
    roots = {_root(word) for word in fold(text).split()}
    missing = []
    for term in terms:
        wanted = _root(term)
        if wanted in roots:
            continue
        if len(wanted) >= 4 and any(root.endswith(wanted) for root in roots):
            continue
        missing.append(term)
    return missing


def _root(word: str) -> str:
    """A word without its plural and its gender or final vowel: "tomatoes" and "tomates"
    → "tomat", "huevos" → "huev", "leche" → "lech" (not "lechug")."""
    for ending in ("es", "s"):
        if len(word) > len(ending) + 2 and word.endswith(ending):
            word = word[: -len(ending)]
            break
    while len(word) > 3 and word[-1] in "aeo":
        word = word[:-1]  # "tomatoe" and "tomate" → "tomat", "coffee" → "coff"
    return word
