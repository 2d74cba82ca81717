"""Which product a shopper means: "the first one", "el Samsung", "that one", "the eggs"."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from agent.offline.quantities import SIZE_WORDS
from storage.text import fold, query_terms, stem

_ORDINALS = {
    "first": 0,
    "1st": 0,
    "primero": 0,
    "primera": 0,
    "second": 1,
    "2nd": 1,
    "segundo": 1,
    "segunda": 1,
    "third": 2,
    "3rd": 2,
    "tercero": 2,
    "tercera": 2,
    "fourth": 3,
    "cuarto": 3,
    "cuarta": 3,
    "fifth": 4,
    "quinto": 4,
    "quinta": 4,
    "last": -1,
    "ultimo": -1,
    "ultima": -1,
}
_DEICTIC = re.compile(
    r"^(?:that|this|it|them|those|these|that one|this one|ese|esa|eso|este|esta|esto|"
    r"esos|esas|estos|estas|"
    r"lo|la|los|las|el mismo|la misma|same|the same)?$"
)


def tool_results(messages: Sequence[BaseMessage]) -> list[tuple[str, dict[str, Any], Any]]:
    """(tool name, call arguments, parsed JSON result) for every answered tool call, in order."""
    return [(name, args, content) for _, name, args, content in _results_by_step(messages)]


def _results_by_step(
    messages: Sequence[BaseMessage],
) -> list[tuple[int, str, dict[str, Any], Any]]:
    """Like `tool_results`, each with the number of the model step that made the call."""
    calls: dict[str, tuple[int, str, dict[str, Any]]] = {}
    found: list[tuple[int, str, dict[str, Any], Any]] = []
    step = 0
    for message in messages:
        if isinstance(message, AIMessage) and message.tool_calls:
            step += 1
            for call in message.tool_calls:
                calls[call["id"] or ""] = (step, call["name"], call["args"])
        elif isinstance(message, ToolMessage) and message.tool_call_id in calls:
            made_at, name, args = calls[message.tool_call_id]
            try:
                content: Any = json.loads(message.text)
            except ValueError:
                content = message.text
            found.append((made_at, name, args, content))
    return found


def shown_lists(messages: Sequence[BaseMessage]) -> list[list[dict[str, Any]]]:
    """What the customer was shown, newest first: search results, the one product of a
    details answer or a cart change, the products compared side by side (details asked
    for in one step), or the cart's lines."""
    lists: list[list[dict[str, Any]]] = []
    compared_at = None  # the step of the details list being gathered
    answers = _answers(messages)
    for step, name, _args, content in reversed(_results_by_step(messages)):
        if not isinstance(content, dict):
            continue
        if name == "search_products":
            shown = content.get("results") or content.get("unavailable") or []
            # what the answer listed: after "the sony ones", the headphones it showed,
            # not the Sony TV the search found too
            said = answers.get(step, "")
            listed = [p for p in shown if p.get("name") and p["name"] in said]
            if listed or shown:
                lists.append(listed or list(shown))
        elif (
            name == "get_product_details"
            and step == compared_at
            and _names_one_product(name, content)
        ):
            lists[-1].insert(0, content)
        elif _names_one_product(name, content):
            lists.append([content])
        elif name == "view_cart" and content.get("lines"):
            lists.append(list(content["lines"]))  # "remove the first one", after the cart
        compared_at = step if name == "get_product_details" else None
    # A cart change names a product without its price and stock: as it was last shown
    priced = {p["item_code"]: p for shown in reversed(lists) for p in shown if "price" in p}
    return [
        [p if "price" in p else priced.get(p["item_code"], p) for p in shown] for shown in lists
    ]


def _answers(messages: Sequence[BaseMessage]) -> dict[int, str]:
    """What the assistant said after each model step's tool calls, by step number."""
    said: dict[int, str] = {}
    step = 0
    for message in messages:
        if isinstance(message, AIMessage):
            if message.tool_calls:
                step += 1
            elif message.text and step not in said:
                said[step] = message.text
    return said


def _names_one_product(tool: str, content: dict[str, Any]) -> bool:
    if tool == "get_product_details":
        return "item_code" in content and "error" not in content
    return tool in ("add_to_cart", "update_cart_item") and bool(content.get("item_code"))


_CART_CHANGES = ("add_to_cart", "update_cart_item", "remove_from_cart", "checkout")


def asked_about(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """The products asked about since the cart last changed, for "2 de cada uno": the
    first of each search or details answer, oldest first, or every product of a single
    search (up to five)."""
    lists: list[list[dict[str, Any]]] = []
    for _step, name, _args, content in reversed(_results_by_step(messages)):
        if name in _CART_CHANGES:
            break
        if not isinstance(content, dict):
            continue
        if name == "search_products" and content.get("results"):
            lists.append(list(content["results"]))
        elif _names_one_product(name, content):
            lists.append([content])
    if len(lists) == 1:
        return lists[0][:5]
    return first_of_each(reversed(lists))[:5]


def first_of_each(lists: Iterable[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The first product of each list, each product once, in the lists' order."""
    picked: dict[str, dict[str, Any]] = {}
    for shown in lists:
        if shown:
            picked.setdefault(shown[0]["item_code"], shown[0])
    return list(picked.values())


def recent_products(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """The products the customer last saw: the latest search results or product details."""
    lists = shown_lists(messages)
    return lists[0] if lists else []


def resolve_shown(
    phrase: str,
    lists: Sequence[Sequence[dict[str, Any]]],
    *,
    order: Literal["price_low", "price_high"] | None = None,
) -> dict[str, Any] | None:
    """The product a reference points at among what was shown: "the cheapest one" in the
    latest list, and an ordinal in the newest list that has that many ("the second one"
    after a single product shown means the list before)."""
    if not lists:
        return None
    if order is not None and is_reference(phrase):
        # "the cheaper one" after looking at two phones one at a time: of those two (not
        # of a fridge and the fan looked at before it)
        candidates = lists[0]
        if len(candidates) == 1:
            kind = candidates[0].get("category")
            candidates = [p for p in first_of_each(lists[:3]) if p.get("category") == kind]
        return (min if order == "price_low" else max)(candidates, key=price_of)
    if any(word in _ORDINALS for word in fold(phrase).split()):
        return next((hit for shown in lists if (hit := resolve(phrase, shown)) is not None), None)
    return resolve(phrase, lists[0])


def price_of(product: dict[str, Any]) -> Decimal:
    """A product's price as the tools give it (a decimal string)."""
    return Decimal(str(product.get("price", "0")))


def is_reference(phrase: str) -> bool:
    """ "", "the first one", "that one", "el segundo": pointing, not naming."""
    words = fold(phrase).split()
    if any(word in _ORDINALS for word in words):
        return True
    return bool(_DEICTIC.match(" ".join(w for w in words if w not in ("one", "uno", "una"))))


def resolve(
    phrase: str, candidates: Sequence[dict[str, Any]], *, every_word: bool = False
) -> dict[str, Any] | None:
    """The one candidate the phrase points at, or None when it points at none or several.

    With `every_word`, a named product must match all the phrase's words.
    """
    if not candidates:
        return None
    words = fold(phrase).split()
    for word in words:
        if word in _ORDINALS:
            index = _ORDINALS[word]
            return candidates[index] if -len(candidates) <= index < len(candidates) else None
    if is_reference(phrase):
        return candidates[0] if len(candidates) == 1 or not words else None
    return best_match(phrase, candidates, every_word=every_word)


def best_match(
    phrase: str, candidates: Sequence[dict[str, Any]], *, every_word: bool = False
) -> dict[str, Any] | None:
    """The candidate whose name, brand or code shares the most words with the phrase."""
    # Among equals, the one shown first: "el Samsung" after a list means the first Samsung.
    best = best_matches(phrase, candidates, every_word=every_word)
    return best[0] if best else None


def best_matches(
    phrase: str, candidates: Sequence[dict[str, Any]], *, every_word: bool = False
) -> list[dict[str, Any]]:
    """The candidates that share the most words with the phrase (none when none shares
    any), in their order: several means the phrase names more than one product. With
    `every_word`, only candidates that have every word of the phrase but sizes and "one"
    ("the 55 inch one") count."""
    terms = query_terms(phrase)
    if not terms or not candidates:
        return []
    naming = [term for term in terms if term not in _NOT_NAMING]
    scored = []
    for candidate in candidates:
        haystack = fold(
            f"{candidate.get('name', '')} {candidate.get('brand', '')} "
            f"{candidate.get('item_code', '')}"
        ).split()
        kind = fold(str(candidate.get("category", ""))).split()
        matched = {
            term
            for term in terms
            if any(_names_word(word, term) for word in haystack)
            or any(_names_kind(word, term) for word in kind)
        }
        if every_word and not matched.issuperset(naming):
            continue
        scored.append((len(matched), candidate))
    best_score = max((score for score, _ in scored), default=0)
    if best_score == 0:
        return []
    return [candidate for score, candidate in scored if score == best_score]


def _names_word(word: str, term: str) -> bool:
    """A word of a product's name the term names: "samsung" or "sams" for "Samsung",
    "pan" for "Pan", "500" for "500g"; a word of three letters or fewer only whole ("pan"
    is not "Pañales", "sal" not "Salsa"), a number only whole ("500" is not "5000")."""
    if term.isdigit():
        return word.startswith(term) and not word[len(term) : len(term) + 1].isdigit()
    return word.startswith(term) if len(term) >= 4 else term in (word, stem(word))


def _names_kind(word: str, term: str) -> bool:
    """A category word the term names: "televisor" for "Televisores", "tv" for "TV"; not
    "pan" for "Pantry" (a short word begins too many others)."""
    return stem(word) == term or (len(term) >= 4 and word.startswith(term))


_NOT_NAMING = SIZE_WORDS | {"one", "ones"}
"""Words of a phrase a product's name need not have: "the 55 inch one" names a TV whose
name gives the size as a bare 55 with an inch mark."""
