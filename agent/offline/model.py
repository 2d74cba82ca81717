"""The offline chat model: rules in, tool calls and answers out, through LangChain's interface.

It is stateless like an LLM: each call re-reads the transcript, parses the customer's
latest message, looks at the tool results gathered since, and decides the next step —
more tool calls, or the answer. That is what lets it sit behind `bind_tools` and the
same graph as a hosted model.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import ROUND_CEILING, Decimal
from functools import cached_property
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.language import Language, detect_language
from agent.messages import reply_of_turn, turn_messages
from agent.observers import observed
from agent.offline import phrasing
from agent.offline.intents import (
    CHANGE_ORDER,
    EACH,
    EVERYTHING,
    KEEP_ORDER,
    Intent,
    ItemRequest,
    adds_on_top,
    asks_to_judge,
    asks_what_there_is,
    parse_message,
    request_after_no,
    thanks_in,
)
from agent.offline.quantities import UNIT_WORDS, Quantity
from agent.offline.references import (
    asked_about,
    best_match,
    best_matches,
    first_of_each,
    is_reference,
    price_of,
    recent_products,
    resolve,
    resolve_shown,
    shown_lists,
    tool_results,
)
from storage.text import STOPWORDS, fold, names_it, naming_terms, query_terms, unaccented

_LANGUAGE_LINE = re.compile(r"^Language: (es|en)\b", re.MULTILINE)
_PENDING_LINE = re.compile(r"^Pending question: (.+)$", re.MULTILINE)


class OfflineChatModel(BaseChatModel):
    """A deterministic, rule-based chat model for English and Spanish shoppers."""

    tool_names: tuple[str, ...] = ()

    @property
    def _llm_type(self) -> str:
        return "store-assistant-offline"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        names = tuple(
            t.name if isinstance(t, BaseTool) else convert_to_openai_tool(t)["function"]["name"]
            for t in tools
        )
        return self.model_copy(update={"tool_names": names})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = Planner(messages, self.tool_names).next_message()
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # Planning takes well under a millisecond: cheaper on the event loop than the
        # default's hop to a worker thread.
        message = Planner(messages, self.tool_names).next_message()
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def ainvoke(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        """Plan directly when nobody observes the call (agent/observers.py); when a
        handler listens, the call takes the full path and is seen like any model's."""
        if observed(config):
            return await super().ainvoke(input, config, stop=stop, **kwargs)
        if isinstance(input, list) and all(isinstance(m, BaseMessage) for m in input):
            messages: list[BaseMessage] = input
        else:
            messages = self._convert_input(input).to_messages()
        return Planner(messages, self.tool_names).next_message()


Call = tuple[str, dict[str, Any]]
_CART_LINE = re.compile(r"^- (\S+) \| (.+) \| ([\d.]+) (\w+) \| ([\d.]+)$", re.MULTILINE)
_CART_TOOLS = ("add_to_cart", "update_cart_item", "remove_from_cart")
_COUNTED_OTHERWISE: dict[str, tuple[str, ...]] = {"unit": ("pack",), "pack": ("unit",)}
"""Sold by the unit, a product is not what "a box of" asks for; by the pack, not "a bottle"."""
_HOW_MUCH_IN_ALL = re.compile(r"(?:y\s+)?(?:entonces\s+)?cuanto\s+(?:es|seria|sale|queda)")
_HOW_MUCH = re.compile(r"\b(?:cuanto|how\s+much)\b")
_THEY = re.compile(
    r"\b(?:they|them|these|those|ell[oa]s|es[oa]s|est[oa]s|cuestan|valen|salen|son)\b"
)
"""A question about several things: "how much are they?", "¿cuánto cuestan?"."""
_CONFIRMS = re.compile(r"\b(?:confirm\w*|go\s+ahead|place\s+it)\b")


class Planner:
    """Decides the next step of one turn from the transcript."""

    def __init__(self, messages: Sequence[BaseMessage], tools: Sequence[str]) -> None:
        self.tools = set(tools)
        start = _last_human(messages)
        # A question asked before registering is what this turn answers (the customer's
        # latest message was the "yes" that registered them).
        self.text = _pending_question(messages) or (messages[start].text if start >= 0 else "")
        self.history = [m for m in messages[:start] if not isinstance(m, SystemMessage)]
        # The previous turn: the customer's message before this one and what followed it.
        self.previous_turn = turn_messages(self.history)
        self.this_turn = list(messages[start + 1 :]) if start >= 0 else []
        # What the tools answered this turn (the calls were made this turn too).
        self.results = tool_results(self.this_turn)
        self.language = _language(messages, self.text)
        self.cart = _cart(messages)
        self.intent = Intent("unknown")

    @cached_property
    def previous_results(self) -> list[tuple[str, dict[str, Any], Any]]:
        """What the tools answered in the previous turn."""
        return tool_results(self.previous_turn)

    @cached_property
    def lists(self) -> list[list[dict[str, Any]]]:
        """What the customer was shown before this turn, newest first (read when needed:
        most messages name what they want)."""
        return shown_lists(self.history)

    def next_message(self) -> AIMessage:
        return self._serve(parse_message(self.text)[0])

    def _serve(self, intent: Intent) -> AIMessage:
        self.intent = intent
        handler = getattr(self, f"_on_{intent.kind}", None)
        if handler is None:
            return self._say(phrasing.small_talk("unknown", self.language))
        message: AIMessage = handler(intent)
        return message

    # intents -----------------------------------------------------------------

    def _on_human(self, intent: Intent) -> AIMessage:
        if "request_human_agent" in self.tools and not self.results:
            reason = "complaint" if intent.phrase == "complaint" else "customer asked for a person"
            return self._call("request_human_agent", reason=reason)
        return self._say(phrasing.small_talk("unknown", self.language))

    def _on_compare(self, intent: Intent) -> AIMessage:
        """ "What's the difference between them?": the details of the products just shown
        (or the ones named among them), up to three, one after the other."""
        if self.results:
            if any(name == "search_products" for name, _, _ in self.results):
                return self._answer_from_results()
            compared = [c for name, _, c in self.results if name == "get_product_details"]
            judging = asks_to_judge(self.text)
            return self._say(phrasing.comparison(compared, self.language, judging=judging))
        shown = self.lists[0] if self.lists else []
        if len(shown) < 2:  # "which is lighter?", after one laptop, then another
            shown = first_of_each(self.lists[:3])
        if not shown and intent.phrase:  # "what's the best rice you have?": the rices
            return self._call("search_products", query=intent.phrase)
        if intent.phrase:  # "compare the LG and the Samsung"
            picked = [best_match(word, shown) for word in intent.phrase.split()]
            named = {p["item_code"]: p for p in picked if p is not None}
            at_hand = self.lists[0][0] if self.lists and len(self.lists[0]) == 1 else None
            if len(named) == 1 and at_hand is not None:  # "compare it with the iPhone"
                named = {at_hand["item_code"]: at_hand, **named}
            shown = list(named.values()) or shown
        if not shown:
            return self._say(phrasing.small_talk("which_one", self.language))
        return self._calls(
            [("get_product_details", {"item_code": p["item_code"]}) for p in shown[:3]]
        )

    def _on_help(self, intent: Intent) -> AIMessage:
        return self._say(phrasing.small_talk("help", self.language))

    def _on_search(self, intent: Intent) -> AIMessage:
        if not intent.phrase and (intent.order is not None or intent.size is not None):
            return self._beyond_shown(intent)
        narrows = intent.refines or (intent.narrows_shown and self._last_search() is not None)
        if not intent.phrase or (narrows and not self._picks_one_offered(intent.phrase)):
            # "the sony ones" narrows what was shown (while choosing too, when it names
            # several of the products offered: "the samsung ones", among the phones)
            return self._narrowed(intent)
        if not self.results:
            # choosing among what was offered ("el aceite de girasol", after the oils and
            # the salts), else among what was shown last
            offered = [p for _, products in self.pending_choices for p in products]
            shown = offered or recent_products(self.history)
            meant = None
            if intent.phrase and is_reference(intent.phrase):  # "the second one"
                meant = resolve_shown(intent.phrase, self.lists)
                if meant is None:
                    return self._say(phrasing.small_talk("which_one", self.language))
            elif (
                shown
                and len(shown) > 1
                and intent.phrase
                and len(intent.phrase.split()) <= 3
                and len(best_matches(intent.phrase, shown)) < len(shown)
            ):  # "el Samsung", after a list (not "tv", which every TV shown fits; and
                # not "aceite de coco" after the tuna in oil: a word it lacks is a search)
                meant = resolve(intent.phrase, shown, every_word=True)
            elif (
                len(shown) == 1
                and not asks_what_there_is(self.text)  # "do you have phones?", again
                and best_matches(intent.phrase, shown, every_word=True)
            ):
                meant = shown[0]  # "the 500g one", after the honey of 500 g
            if meant is not None:  # "la entera", after "necesito leche" got the milks: added
                return self._point_at(meant, named=intent.phrase)
            args: dict[str, Any] = {"query": intent.phrase or self.text}
            if intent.max_price is not None:
                args["max_price"] = float(intent.max_price)
            if intent.order is not None:
                args["sort"] = intent.order
            return self._call("search_products", **args)
        added = any(name == "add_to_cart" for name, _, _ in self.results)
        choosing = not added and bool(self.pending_choices)
        if choosing:
            # "the skimmed one" names a product offered in another language: the search
            # just made finds it among them (if it has the words: "aceite de coco" is not
            # the tuna in oil offered for "margarina")
            fitting = [
                (product, asked)
                for product in self._found()
                if not product.get("missing")
                and (asked := self._pending_for(product["item_code"])) is not None
            ]
            requests = {asked.phrase for _, asked in fitting}
            if len(requests) > 1:
                # "the whole one", with eggs, bread and milk to choose: whole milk or
                # whole-wheat bread? Those two, and which.
                firsts = {asked.phrase: product for product, asked in reversed(fitting)}
                answer = {"query": intent.phrase, "results": list(firsts.values())[::-1]}
                return self._say(phrasing.search_answer(answer, self.language, choose=True))
            if fitting:
                return self._add_chosen(*fitting[0])
        details = [r for r in self.results if r[0] == "get_product_details"]
        if details:
            return self._answer_from_results(only=details)
        if not added and not choosing:
            pointed = self._shown_among_found(intent.phrase)
            if pointed is not None:
                return self._call("get_product_details", item_code=pointed["item_code"])
        return self._answer_from_results(adding=added)

    def _shown_among_found(self, phrase: str) -> dict[str, Any] | None:
        """After a list, a word that names none of what the search found ("whole", after
        the milks "Leche entera" and "Leche descremada") picks the listed product the search
        ranks first: the embeddings read it across languages."""
        shown = self._shown_last_turn()
        if len(shown) < 2 or len(phrase.split()) > 3:
            return None
        found = self._found()
        terms = query_terms(phrase)
        if any(
            term in word
            for p in found
            for word in fold(f"{p.get('name', '')} {p.get('brand', '')}").split()
            for term in terms
        ):
            return None  # the search found products named by the words
        listed = {p["item_code"] for p in shown}
        return next((p for p in found if p["item_code"] in listed), None)

    def _narrowed(self, intent: Intent) -> AIMessage:
        """ "Show me more", "something under 600", "which ones are wireless?", "¿y en
        rojo?": the last search again, with more results, a price ceiling or more words."""
        last = self._last_search()
        if last is None:
            if self.results:  # nothing was shown before: the phrase was searched alone
                return self._answer_from_results()
            if intent.phrase:
                return self._call("search_products", query=intent.phrase)
            return self._say(phrasing.small_talk("unknown", self.language))
        more = not intent.phrase and intent.max_price is None
        if not self.results:
            args: dict[str, Any] = {"query": str(last["query"])}
            if intent.phrase:
                args["query"] = f"{last['query']} {intent.phrase}"
            if last.get("category"):
                args["category"] = last["category"]
            if last.get("city"):  # "the cheapest", after the rice in Valencia
                args["city"] = last["city"]
            ceiling = intent.max_price if intent.max_price is not None else last.get("max_price")
            if ceiling is not None:
                args["max_price"] = float(ceiling)
            if intent.order is not None or last.get("sort"):
                args["sort"] = intent.order or last["sort"]
            if more:
                args["limit"] = min(int(last.get("limit", 5)) + 5, 20)
            return self._call("search_products", **args)
        searches = [
            c for name, _, c in self.results if name == "search_products" and isinstance(c, dict)
        ]
        if intent.narrows_shown and len(searches) > 1:  # the kind of its own, searched alone
            return self._say(phrasing.search_answer(searches[-1], self.language))
        content = searches[0] if searches else {}
        if intent.max_price is not None and not intent.phrase:
            # "something under 400?", after the laptops: only laptops, or none (the nearest
            # thing under that price, a desk fan, is no answer)
            fitting = [p for p in content.get("results") or [] if not p.get("missing")]
            if not fitting:
                # of the last list shown (not the one product looked at since)
                fallback = self.lists[0] if self.lists else []
                listed = next((shown for shown in self.lists if len(shown) > 1), fallback)
                priced = [p for p in listed if not p.get("missing")]
                cheapest = min(priced, key=price_of, default=None)
                currency = (cheapest or {}).get("currency", "USD")
                ceiling = phrasing.money(format(intent.max_price.normalize(), "f"), currency)
                return self._say(
                    phrasing.nothing_under(str(last["query"]), ceiling, cheapest, self.language)
                )
            content = {**content, "results": fitting}
        if more:  # what the customer has not seen yet
            seen = {p["item_code"] for shown in self.lists for p in shown}
            fresh = [p for p in content.get("results") or [] if p["item_code"] not in seen]
            if not fresh:
                return self._say(phrasing.nothing_more(str(last["query"]), self.language))
            content = {**content, "results": fresh[:5]}
        elif intent.phrase:
            # "the sony ones", after the headphones: the headphones that say "sony"; if
            # none does, the headphones, saying so (not the Sony TV)
            kind, wanted = set(naming_terms(str(last["query"]))), set(naming_terms(intent.phrase))
            # what no product of that kind had ("laptops for gaming") does not set it apart
            shown = self.lists[0] if self.lists else []
            kind -= (
                set.intersection(*(set(p.get("missing") or ()) for p in shown)) if shown else set()
            )
            found = content.get("results") or []
            of_kind = [p for p in found if not kind & set(p.get("missing") or ())]
            refined = [p for p in of_kind if not wanted & set(p.get("missing") or ())]
            sold_out = [
                p
                for p in content.get("unavailable") or []
                if not (kind | wanted) & set(p.get("missing") or ())
            ]
            relaxed = kind & set(naming_terms(" ".join(content.get("not_found_words") or ())))
            if intent.narrows_shown and (not refined or relaxed):
                # "¿y los plátanos?", after the apples: no apple is one; a kind of its own,
                # searched for alone
                return self._call("search_products", query=intent.phrase)
            if not of_kind:  # "¿cuál es el televisor más barato?", after the coffee
                unasked = [{**p, "missing": _without(p.get("missing"), kind)} for p in found]
                content = {**content, "query": intent.phrase, "results": unasked}
            elif refined:
                content = {**content, "results": refined}
            elif wanted and not sold_out:
                return self._say(
                    phrasing.none_such(str(last["query"]), intent.phrase, of_kind, self.language)
                )
        return self._say(phrasing.search_answer(content, self.language))

    def _beyond_shown(self, intent: Intent) -> AIMessage:
        """ "Anything cheaper?", "any bigger ones?": the last search again, keeping the
        products of the kind just shown (same category, a word of the name in common) that
        cost less (or more), or whose names give a bigger (or smaller) size; then its first
        word alone ("leche descremada" finds no other milk, "leche" does), then the
        category ("LG 55 TV", "LG": only the LG)."""
        last = self._last_search()
        shown = self._shown_or_found()
        if last is None or not shown:
            return self._say(phrasing.small_talk("which_one", self.language))
        query = str(last["query"])
        kinds = {p.get("category") for p in shown}
        name_words = {w for p in shown for w in fold(p.get("name", "")).split() if w.isalpha()}
        measure, less = _measure_for(intent, shown)
        beyond_word = ("cheaper" if less else "pricier") if intent.size is None else intent.size
        if measure is None:  # "any bigger ones?" about products whose names give no size
            if len(shown) == 1:  # "la más grande", with one fridge found: that one
                return self._say(phrasing.nothing_beyond(shown[0], beyond_word, self.language))
            return self._say(phrasing.small_talk("which_one", self.language))
        held = [m for m in (measure(p) for p in shown) if m is not None]

        def beyond(product: dict[str, Any]) -> bool:
            alike = product.get("category") in kinds and bool(
                name_words & set(fold(product.get("name", "")).split())
            )
            value = measure(product)
            if not alike or value is None:
                return False
            return value < min(held) if less else value > max(held)

        found: dict[str, dict[str, Any]] = {}
        asked: set[str] = set()
        for name, args, content in self.results:
            if name == "search_products" and isinstance(content, dict):
                asked.add(str(args.get("query")))
                for p in content.get("results") or []:
                    if beyond(p):
                        found.setdefault(p["item_code"], p)
        if found:
            # by price as the head says (lowest or highest first); by size, the nearest
            reverse = (not less) if intent.size is None else less
            ordered = sorted(found.values(), key=lambda p: measure(p) or 0, reverse=reverse)
            answer: dict[str, Any] = {"query": query, "results": ordered[:5]}
            if intent.order is not None:
                answer["sort"] = intent.order
            return self._say(phrasing.search_answer(answer, self.language))
        kind = str(shown[0].get("category") or "")
        queries = [query, query.split()[0], kind]
        following = next((q for q in queries if q and q not in asked), None)
        if following is not None:
            search: dict[str, Any] = {"query": following, "limit": 10}
            if intent.order is not None:
                search["sort"] = intent.order
            if following == kind:
                search["category"] = kind
            return self._call("search_products", **search)
        reference = (min if less else max)(shown, key=lambda p: measure(p) or 0)
        return self._say(phrasing.nothing_beyond(reference, beyond_word, self.language))

    def _add_chosen(self, product: dict[str, Any], asked: ItemRequest) -> AIMessage:
        quantity = product_quantity(_fitting(asked.quantity, product), product)
        return self._call("add_to_cart", item_code=product["item_code"], quantity=float(quantity))

    def _on_store_info(self, intent: Intent) -> AIMessage:
        if intent.phrase == CHANGE_ORDER:
            # with a cart, "my order" is the one being put together
            key = "change_cart" if self.cart else "change_order"
            return self._say(phrasing.small_talk(key, self.language))
        return self._say(phrasing.small_talk("store_info", self.language))

    def _on_details(self, intent: Intent) -> AIMessage:
        asks_price_alone = (
            not intent.phrase
            and intent.order is None
            and intent.place is None
            and bool(_HOW_MUCH.search(fold(self.text)))
        )
        if asks_price_alone and any(
            name in _CART_TOOLS for name, _, _ in self.previous_results
        ):  # "¿cuánto es?" right after adding: the cart's total
            return self._on_view_cart(Intent("view_cart"))
        latest = self.lists[0] if self.lists else []  # what was shown last
        if self.cart and len(latest) != 1 and _HOW_MUCH_IN_ALL.fullmatch(fold(self.text)):
            # "¿cuánto es?" with the cart full and no one product at hand: the total
            return self._on_view_cart(Intent("view_cart"))
        if not self.results and intent.size is not None:
            return self._by_size(intent.size)
        per_unit = (  # "el kilo" (not "a dozen": the dozen pack, below)
            _names_a_unit(intent.phrase) and fold(intent.phrase) not in _DOZEN_WORDS
        )
        they = asks_price_alone and bool(_THEY.search(fold(self.text)))
        if not self.results and len(latest) > 1 and (they or per_unit):
            # "how much are they?" / "¿cuánto cuesta el kilo?" after a list: their prices,
            # as they were just found
            return self._say(phrasing.prices(latest, self.language))
        if not self.results:
            if intent.order is not None or intent.place is not None or is_reference(intent.phrase):
                # "the cheapest one", "the second one", "is it available in Valencia?"
                last = self._last_search()
                if intent.place and not intent.phrase and len(latest) > 1 and last is not None:
                    # "¿y en Maracay?", after the rices found in Valencia: there
                    args = {"query": str(last["query"]), "city": intent.place}
                    return self._call("search_products", **args)
                if not intent.phrase and intent.order is None and len(latest) > 1:
                    # "how much is it?" after several products: which one?
                    return self._say(phrasing.small_talk("which_one", self.language))
                pointed = resolve_shown(intent.phrase, self.lists, order=intent.order)
                if pointed is None:
                    return self._say(phrasing.small_talk("which_one", self.language))
                return self._point_at(pointed)
            recent = recent_products(self.history)
            dozen = fold(intent.phrase) in _DOZEN_WORDS
            if dozen:  # "how much for a dozen?"
                recent = [p for p in recent if _sold_by_the_dozen(p)] or recent
            # every word: "harina pan" is not the tuna of the pantry just looked at
            meant = resolve(intent.phrase, recent, every_word=True)
            if (dozen or _names_a_unit(intent.phrase)) and meant is None and len(recent) == 1:
                meant = recent[0]  # "¿cuánto cuesta el paquete?", about the diapers
            if meant is not None:
                return self._call("get_product_details", item_code=meant["item_code"])
            if intent.phrase:
                return self._call("search_products", query=intent.phrase)
            return self._say(phrasing.small_talk("unknown", self.language))
        if len(self.results) == 1 and self.results[0][0] == "search_products":
            # "¿cuánto vale el queso blanco?": the one product named by every word, not a list
            content = self.results[0][2]
            found = content.get("results") or [] if isinstance(content, dict) else []
            named = best_matches(intent.phrase, found, every_word=True)
            if len(named) == 1:
                return self._call("get_product_details", item_code=named[0]["item_code"])
        details = [r for r in self.results if r[0] == "get_product_details"]
        return self._answer_from_results(only=details) if details else self._answer_from_results()

    def _by_size(self, size: Literal["big", "small"]) -> AIMessage:
        """ "El más grande": of the products just shown, the one whose name gives the
        biggest (or smallest) size, when every name gives one in the same unit."""
        shown = self._shown_or_found()
        if len(shown) == 1:  # "la más grande", when one fridge was found: all there is
            return self._say(phrasing.nothing_beyond(shown[0], size, self.language))
        sizes = [_size_in(p) for p in shown]
        units = {s[1] for s in sizes if s is not None}
        if len(shown) < 2 or None in sizes or len(units) != 1:
            return self._say(phrasing.small_talk("which_one", self.language))
        pick = (max if size == "big" else min)(
            zip(shown, sizes, strict=True), key=lambda pair: pair[1][0] if pair[1] else 0
        )[0]
        return self._point_at(pick)

    def _point_at(self, product: dict[str, Any], *, named: str | None = None) -> AIMessage:
        """The product the customer picked out of a list: added if they were choosing what
        to add ("quiero un televisor" … "el más barato"), or if they `named` it in answer to
        the list's "would you like to add any?" ("penne", after the pastas) or pointed at
        it right after its details ("esa"); else its details."""
        asked = self._pending_for(product["item_code"])
        if asked is None and named is not None and self._takes(product, named):
            asked = ItemRequest(phrase="")  # one of it
        if asked is not None:
            return self._add_chosen(product, asked)
        return self._call("get_product_details", item_code=product["item_code"])

    def _takes(self, product: dict[str, Any], named: str) -> bool:
        """Naming or pointing at `product` says "that one" (not "penne?", a question): the
        previous answer listed it and asked whether to add any, or showed its details
        alone and `named` only points ("esa", "that one")."""
        if "add_to_cart" not in self.tools or "?" in self.text:
            return False
        shown = self._shown_last_turn()
        listed = [p["item_code"] for p in shown]
        if product["item_code"] not in listed:
            return False
        if is_reference(named):
            return listed == [product["item_code"]] or self._asked_to_add()
        # a name fitting several of them ("samsung", with two Samsung phones) picks none
        return self._asked_to_add() and len(best_matches(named, shown, every_word=True)) == 1

    def _asked_to_add(self) -> bool:
        """The previous answer ended with "would you like to add any of these?"."""
        return reply_of_turn(self.previous_turn).endswith(tuple(phrasing.ADD_QUESTIONS.values()))

    def _on_add(self, intent: Intent) -> AIMessage:
        if "add_to_cart" not in self.tools:
            phrase = " ".join(item.phrase for item in intent.items if item.phrase)
            return self._on_search(Intent("search", phrase=phrase or self.text))
        each = next((item for item in intent.items if item.phrase == EACH), None)
        if each is not None:
            return self._add_each(each)
        recent = recent_products(self.history)
        done = {
            args.get("item_code")
            for name, args, _ in self.results
            if name in ("add_to_cart", "update_cart_item")
        }
        searched = self._searched()
        calls: list[Call] = []
        unresolved = False
        choosing: set[str] = set()
        already: list[dict[str, Any]] = []
        for item in intent.items:
            product = self._product_for(item, recent, searched)
            if product == "choose":
                choosing.add(item.phrase)
            elif product == "search":
                search: dict[str, Any] = {"query": item.phrase}
                if item.order is not None:
                    search["sort"] = item.order
                calls.append(("search_products", search))
            elif product is None and is_reference(item.phrase):
                unresolved = True
            elif isinstance(product, dict) and product["item_code"] not in done:
                done.add(product["item_code"])
                line = next((c for c in self.cart if c["item_code"] == product["item_code"]), None)
                if line is not None and item.quantity is None and not self.results:
                    # "I'll take the LG" with the LG already in the cart: not a second one
                    already.append(line)
                    continue
                if (
                    line is not None
                    and item.quantity is not None
                    and not item.more
                    and is_reference(item.phrase)
                    and not adds_on_top(self.text)
                ):
                    # "ponme dos", about the diapers already in the cart: two in all
                    # ("agrega una": one more)
                    wanted = product_quantity(item.quantity, product)
                    calls.append(
                        (
                            "update_cart_item",
                            {"item_code": product["item_code"], "quantity": float(wanted)},
                        )
                    )
                    continue
                asked = item.quantity
                chosen = self._pending_for(product["item_code"]) if asked is None else None
                if chosen is not None:  # "quiero 3 leches" … "dame la entera"
                    asked = _fitting(chosen.quantity, product)
                quantity = product_quantity(asked, product)
                calls.append(
                    (
                        "add_to_cart",
                        {"item_code": product["item_code"], "quantity": float(quantity)},
                    )
                )
        if not calls and unresolved and not self.results:
            return self._say(phrasing.small_talk("which_one", self.language))
        if not calls and already:
            return self._say(phrasing.already_in_cart(already, self.language))
        if calls:
            return self._calls(calls)
        # "add it and a 32 inch Samsung" after a list: the Samsung, and which one "it" is
        return self._answer_from_results(adding=True, choosing=choosing, ask_which=unresolved)

    def _add_each(self, item: ItemRequest, *, changing: bool = False) -> AIMessage:
        """ "2 de cada uno": that many of every product just asked about; right after
        adding, or `changing` ("mejor 3 de cada uno"), of every product just added."""
        if self.results:
            return self._answer_from_results(adding=True)
        just_added = self._just_added
        asked = [] if changing and just_added else asked_about(self.history)
        if asked:
            products, tool = asked, "add_to_cart"
        else:  # right after adding: "dame 2 de cada uno" sets what was added
            products, tool = just_added, "update_cart_item"
        if not products:
            return self._say(phrasing.small_talk("which_one", self.language))
        return self._calls(
            [
                (
                    tool,
                    {
                        "item_code": p["item_code"],
                        "quantity": float(product_quantity(_fitting(item.quantity, p), p)),
                    },
                )
                for p in products
            ]
        )

    @property
    def _just_added(self) -> list[dict[str, Any]]:
        """The products the previous turn put in the cart, each once."""
        added: dict[str, dict[str, Any]] = {}
        for name, _args, content in self.previous_results:
            if name == "add_to_cart" and isinstance(content, dict) and content.get("ok"):
                added.setdefault(content["item_code"], content)
        return list(added.values())

    @cached_property
    def pending_choices(self) -> list[tuple[ItemRequest, list[dict[str, Any]]]]:
        """When the previous answer offered several products for something the customer
        asked to add ("necesito leche": the milks, "which one?"), each such request and the
        products offered for it ("arroz, aceite y sal" may leave two open)."""
        previous = self.previous_turn
        if not previous:
            return []
        asked = parse_message(previous[0].text)[0]
        if asked.kind != "add":
            return []
        results = self.previous_results
        added = {args.get("item_code") for name, args, _ in results if name == "add_to_cart"}
        choices = []
        for name, args, content in results:
            if name != "search_products" or not isinstance(content, dict):
                continue
            offered = list(content.get("results") or [])
            codes = {p["item_code"] for p in offered}
            item = next((i for i in asked.items if i.phrase == args.get("query")), None)
            similar = any(p.get("missing") for p in offered)  # "cebolla": "Onions?"
            if item is not None and (len(codes) > 1 or similar) and not codes & added:
                choices.append((item, offered))
        return choices

    def _picks_one_offered(self, phrase: str) -> bool:
        """The phrase names one of the products offered to choose from ("el de girasol")."""
        offered = [p for _, products in self.pending_choices for p in products]
        return len(best_matches(phrase, offered, every_word=True)) == 1

    def _pending_for(self, item_code: str) -> ItemRequest | None:
        """The request a product was offered for, if the customer is choosing it."""
        return next(
            (
                item
                for item, offered in self.pending_choices
                if any(p["item_code"] == item_code for p in offered)
            ),
            None,
        )

    def _on_update(self, intent: Intent) -> AIMessage:
        if "update_cart_item" not in self.tools:
            return self._say(phrasing.small_talk("unknown", self.language))
        each = next((item for item in intent.items if item.phrase == EACH), None)
        if each:  # "make it 3 of each": what was just added, or just asked about
            return self._add_each(each, changing=True)
        added = any(name == "add_to_cart" for name, _, _ in self.results)
        if added or (not self.results and self._amount_of_product_at_hand(intent)):
            return self._on_add(replace(intent, kind="add"))
        return self._change_cart(intent, "update_cart_item")

    def _amount_of_product_at_hand(self, intent: Intent) -> bool:
        """ "Make it 2" while looking at one product not in the cart: two of it, to add."""
        recent = recent_products(self.history)
        return (
            bool(intent.items)
            and all(is_reference(i.phrase) and i.quantity is not None for i in intent.items)
            and len(recent) == 1
            and all(line["item_code"] != recent[0]["item_code"] for line in self.cart)
        )

    def _on_remove(self, intent: Intent) -> AIMessage:
        if "remove_from_cart" not in self.tools:
            return self._say(phrasing.small_talk("unknown", self.language))
        if intent.phrase == EVERYTHING:  # "vacía el carrito"
            if self.results:
                return self._answer_from_results(adding=True)
            if not self.cart:
                return self._call("view_cart")
            return self._calls(
                [("remove_from_cart", {"item_code": line["item_code"]}) for line in self.cart]
            )
        return self._change_cart(intent, "remove_from_cart")

    def _change_cart(self, intent: Intent, tool: str) -> AIMessage:
        """Update or remove the cart lines a message names. Names in another language than
        the cart's ("the oil" for "Aceite de oliva") are found through a search first."""
        done = [
            {
                "item_code": args.get("item_code"),
                "name": content.get("name") or content.get("removed", ""),
            }
            for name, args, content in self.results
            if name in (tool, "update_cart_item") and isinstance(content, dict)
        ]
        handled = {line["item_code"] for line in done}
        searched = self._searched()
        calls: list[Call] = []
        for item in intent.items:
            if done and is_reference(item.phrase):
                continue  # "quítalo" names one line, changed in an earlier step of this turn
            line = self._cart_line(item.phrase)
            if line is None and item.phrase in searched:
                found = searched[item.phrase]
                codes = {
                    p["item_code"]
                    for p in [*found.get("results", []), *found.get("unavailable", [])]
                }
                line = next((c for c in self.cart if c["item_code"] in codes), None)
                if line is None and codes & handled:
                    continue  # already changed in an earlier step of this turn
            elif line is None and item.phrase and not done:
                calls.append(("search_products", {"query": item.phrase, "in_stock_only": False}))
                continue
            if line is None or line["item_code"] in handled:
                continue
            handled.add(line["item_code"])
            quantity = (
                None
                if item.quantity is None
                else product_quantity(item.quantity, {"unit": line["unit"], "name": line["name"]})
            )
            if tool == "remove_from_cart" and quantity is not None:
                # "quita uno", "remove 2 of the milk": fewer, not none
                left = Decimal(line["quantity"]) - quantity
                if left > 0:
                    calls.append(
                        (
                            "update_cart_item",
                            {"item_code": line["item_code"], "quantity": float(left)},
                        )
                    )
                    continue
            if tool == "remove_from_cart":
                calls.append((tool, {"item_code": line["item_code"]}))
            elif quantity is not None:
                calls.append((tool, {"item_code": line["item_code"], "quantity": float(quantity)}))
        if calls:
            return self._calls(calls)
        if not done:
            return self._say(
                phrasing.cart_change_answer({"error": "not_in_cart"}, self.language, tool)
            )
        return self._answer_from_results(adding=True)

    def _on_view_cart(self, intent: Intent) -> AIMessage:
        return self._answer_from_results() if self.results else self._call("view_cart")

    def _on_checkout(self, intent: Intent) -> AIMessage:
        return self._answer_from_results() if self.results else self._call("checkout")

    def _on_order_status(self, intent: Intent) -> AIMessage:
        if self.results:
            return self._answer_from_results()
        return self._call("get_order_status", order_number=intent.order_number)

    def _on_reorder(self, intent: Intent) -> AIMessage:
        if self.results:
            return self._answer_from_results()
        return self._call("repeat_order", order_number=intent.order_number)

    def _on_cancel_order(self, intent: Intent) -> AIMessage:
        if self.results:
            return self._answer_from_results()
        return self._call("cancel_order", order_number=intent.order_number)

    def _on_yes(self, intent: Intent) -> AIMessage:
        """A yes to "shall I add those 3?" adds them; any other yes needs a question."""
        if self.results:
            return self._answer_from_results(adding=True)
        last = tool_results(self.history)[-1:] if self.history else []
        if last and last[0][0] == "add_to_cart" and isinstance(last[0][2], dict):
            offer = last[0][2]
            if offer.get("error") == "short" and offer.get("available") not in ("0", None):
                return self._call(
                    "add_to_cart",
                    item_code=offer["item_code"],
                    quantity=float(
                        Decimal(offer["available"]) - Decimal(offer.get("in_cart", "0"))
                    ),
                )
        if _CONFIRMS.search(fold(self.text)) and self.cart:
            # "ok confirm", after the read-back was interrupted by a question: read it back
            # again (only a yes to the read-back itself places the order)
            return self._call("checkout")
        choices = self.pending_choices
        if len(choices) == 1 and len(choices[0][1]) == 1 and "add_to_cart" in self.tools:
            # "un aceite de coco": "Agua de coco 1L, would that do?" "Yes": as much as asked
            asked, (product,) = choices[0]
            return self._add_chosen(product, asked)
        shown = self._shown_last_turn()
        previous = self.previous_results
        offered = bool(previous) and previous[-1][0] == "search_products"
        if len(shown) == 1 and offered and "add_to_cart" in self.tools:
            # "Would you like to add it?" "Yes" (a product's details ask nothing)
            return self._call("add_to_cart", item_code=shown[0]["item_code"], quantity=1.0)
        if shown:
            return self._say(phrasing.small_talk("which_one", self.language))
        return self._say(phrasing.small_talk("unknown", self.language))

    def _on_no(self, intent: Intent) -> AIMessage:
        """A no that answers nothing pending (checkout and addresses have their own steps)."""
        if intent.phrase == KEEP_ORDER:  # "no, don't cancel" after a cancellation
            cancelled = [
                content
                for name, _, content in self.previous_results
                if name == "cancel_order" and isinstance(content, dict) and content.get("ok")
            ]
            if cancelled:
                return self._say(phrasing.already_cancelled(cancelled[-1], self.language))
            return self._say(phrasing.small_talk("no_problem", self.language))
        after = request_after_no(intent)
        if after is not None:  # "no, I want the LG": the rest is the request
            return self._serve(after)
        return self._say(phrasing.small_talk("no_problem", self.language))

    def _shown_last_turn(self) -> list[dict[str, Any]]:
        """The products the previous answer listed (search results or one product's details)."""
        lists = shown_lists(self.previous_turn)
        return lists[0] if lists else []

    def _on_greeting(self, intent: Intent) -> AIMessage:
        return self._say(phrasing.small_talk("greeting", self.language))

    def _on_thanks(self, intent: Intent) -> AIMessage:
        if intent.farewell:
            thanked = thanks_in(self.text)
            return self._say(phrasing.farewell(self.cart, self.language, thanked=thanked))
        return self._say(phrasing.small_talk("thanks", self.language))

    # lookups -----------------------------------------------------------------

    def _last_search(self) -> dict[str, Any] | None:
        """The arguments of the latest search before this turn, as the tool read them
        ("arroz en Valencia": "arroz", in the city "Valencia")."""
        latest = self._latest_search()
        return None if latest is None else {**latest[0], **_as_read(latest[1])}

    def _shown_or_found(self) -> list[dict[str, Any]]:
        """What the last answer listed; else what the latest search before this turn found
        ("quiero una nevera" found one fridge and added it straight away)."""
        if self.lists:
            return self.lists[0]
        latest = self._latest_search()
        if latest is None or not isinstance(latest[1], dict):
            return []
        return list(latest[1].get("results") or [])

    def _latest_search(self) -> tuple[dict[str, Any], Any] | None:
        """The arguments and the answer of the latest search before this turn."""
        return next(
            (
                (args, content)
                for name, args, content in reversed(tool_results(self.history))
                if name == "search_products" and args.get("query")
            ),
            None,
        )

    def _found(self) -> list[dict[str, Any]]:
        """The products this turn's searches found, in their order."""
        return [p for content in self._searched().values() for p in content.get("results") or []]

    def _searched(self) -> dict[str, dict[str, Any]]:
        return {
            str(args.get("query")): content
            for name, args, content in self.results
            if name == "search_products" and isinstance(content, dict)
        }

    def _product_for(
        self,
        item: ItemRequest,
        recent: list[dict[str, Any]],
        searched: dict[str, dict[str, Any]],
    ) -> dict[str, Any] | Literal["search", "choose"] | None:
        """The product an item names: a reference to what was shown, a search already done
        this turn, "search" when the catalog must be asked first, or "choose" when the
        search found several products of that name (the customer picks)."""
        if item.more and item.phrase in ("", "it"):
            held = self._cart_line("it")  # "2 more", "another one": of what the cart has
            if held is not None:
                return held
            latest = self.lists[0] if self.lists else []
            return latest[0] if len(latest) == 1 else None  # else: which one?
        if is_reference(item.phrase):
            pointed = resolve_shown(item.phrase, self.lists, order=item.order)
            if item.quantity is not None and item.quantity.unit == "dozen" and self.lists:
                # "2 dozen", after the eggs: the dozen pack among them
                dozens = [p for p in self.lists[0] if _sold_by_the_dozen(p)]
                pointed = dozens[0] if len(dozens) == 1 else pointed
            weighed = item.quantity is not None and item.quantity.unit in ("kg", "g", "lb")
            if pointed is not None and weighed and not _by_weight(pointed):
                return None  # "medio kilo" of something not sold by weight: which one?
            return pointed
        counted = item.quantity.unit if item.quantity is not None else None
        if item.order is None:
            exact = resolve(item.phrase, recent, every_word=True)
            # (not "a box of water" after the bottle of water: the pack, if there is one)
            if exact is not None and counted not in _COUNTED_OTHERWISE.get(
                str(exact.get("unit")), ()
            ):
                return exact
        if item.phrase not in searched:
            return "search"
        found: list[dict[str, Any]] = searched[item.phrase].get("results") or []
        terms = query_terms(item.phrase)
        sold_out: list[dict[str, Any]] = [
            p
            for p in searched[item.phrase].get("unavailable") or []
            if names_it(p["name"], terms, p.get("brand"))
        ]
        if sold_out and not any(names_it(p["name"], terms, p.get("brand")) for p in found):
            kind = sold_out[0].get("category")
            if any(p.get("category") == kind for p in found):
                return "choose"  # "a laptop" while the one named "Laptop …" is sold out
            # "1 kilo de tomates" while the tomatoes are sold out: say so (the cart tool
            # does), rather than offer tomato sauce
            return sold_out[0]
        if not found:
            return None
        if item.order is not None:  # searched in price order: the first is the one
            return found[0]
        if item.quantity is not None and item.quantity.unit in ("kg", "g", "lb"):
            # "2 kg of apples": the apples sold by weight, not an Apple laptop; then bags
            # of a weight ("un kilo de café": the 500 g bags, not the coffee maker)
            by_kilo = [p for p in found if p.get("unit") == "kg"]
            weighed_out: list[dict[str, Any]] = [
                p for p in searched[item.phrase].get("unavailable") or [] if p.get("unit") == "kg"
            ]
            if not by_kilo and weighed_out:
                # "2 kg of tomatoes" while the tomatoes are sold out: say so (the cart tool
                # does), rather than add two jars of tomato sauce
                return weighed_out[0]
            by_weight = by_kilo or [p for p in found if _by_weight(p)]
            if not by_weight:
                # "2 kilos de arros": nothing found is sold by weight (a rice cooker is not
                # rice), so offer what was found rather than add two rice cookers
                return "choose"
            found = by_weight
        named = best_matches(item.phrase, found)
        alike = [p for p in named if p.get("category") == named[0].get("category")]
        if len(alike) > 1 and counted in ("unit", "pack"):
            # "2 bottles of water": the bottle, not the pack of six ("una caja": the pack)
            sold_so = [p for p in alike if p.get("unit", "unit") == counted]
            alike = sold_so if len(sold_so) == 1 else alike
            if len(alike) == 1:
                return alike[0]
        if len(alike) > 1:
            by_the_dozen = [p for p in alike if _sold_by_the_dozen(p)]
            if (
                item.quantity is not None
                and item.quantity.unit == "dozen"
                and len(by_the_dozen) == 1
            ):
                return by_the_dozen[0]  # "2 dozen eggs": the dozen pack, not the carton of 30
            complete = [p for p in alike if not p.get("missing")]
            if len(complete) == 1 and not best_matches(item.phrase, alike, every_word=True):
                # "whole milk": only "Leche entera" has every word asked for, in its
                # description or in another language (not "a new laptop for work": every
                # laptop lacks "new" and "work", so which one?)
                return complete[0]
            return "choose"  # "leche": whole or skimmed? (the red apples are not an Apple laptop)
        top = named[0] if named else found[0]
        if top.get("missing"):
            return "choose"  # "charcoal": the gas stove is only the nearest thing, not added
        return top

    def _cart_line(self, phrase: str) -> dict[str, Any] | None:
        if not self.cart:
            return None
        if is_reference(phrase):
            mentioned = [p["item_code"] for p in recent_products(self.history)]
            for code in mentioned:
                line = next((c for c in self.cart if c["item_code"] == code), None)
                if line is not None:
                    return line
            return self.cart[-1]
        return best_match(phrase, self.cart)

    # answers -----------------------------------------------------------------

    def _answer_from_results(
        self,
        *,
        adding: bool = False,
        choosing: set[str] | frozenset[str] = frozenset(),
        only: list[tuple[str, dict[str, Any], Any]] | None = None,
        ask_which: bool = False,
    ) -> AIMessage:
        """The answer from this turn's tool results (or `only` these of them)."""
        lang = self.language
        parts: list[str] = []
        questions: list[str] = []  # "which milk?" comes after what was done
        cart_view: dict[str, Any] | None = None
        for name, args, content in self.results if only is None else only:
            if not isinstance(content, dict):
                continue
            choose = args.get("query") in choosing
            if name == "search_products" and (not adding or not content.get("results") or choose):
                # While adding, found products are reported by the add itself, unless the
                # customer has to choose among them.
                (questions if choose else parts).append(
                    phrasing.search_answer(content, lang, choose=choose, naming=len(choosing) > 1)
                )
            elif name == "get_product_details":
                parts.append(phrasing.details_answer(content, lang, place=self.intent.place))
            elif name in _CART_TOOLS:
                parts.append(phrasing.cart_change_answer(content, lang, name))
                cart_view = content.get("cart", cart_view)
            elif name == "view_cart":
                parts.append(phrasing.cart_answer(content, lang))
            elif name == "checkout":
                parts.append(phrasing.checkout_answer(content, lang))
            elif name in ("get_order_status", "cancel_order"):
                parts.append(phrasing.order_answer(content, lang, name))
            elif name == "repeat_order":
                parts.append(phrasing.reorder_answer(content, lang))
        changes = sum(1 for name, _, _ in self.results if name in _CART_TOOLS)
        if changes == 1 and cart_view is not None and cart_view.get("lines"):
            total = phrasing.money(cart_view["total"], cart_view.get("currency", "USD"))
            parts.append(
                f"Total del carrito: {total}." if lang == "es" else f"Cart total: {total}."
            )
        if ask_which and parts:
            questions.append(phrasing.small_talk("which_one", lang))
        return self._say("\n".join(parts + questions) or phrasing.small_talk("unknown", lang))

    def _say(self, text: str) -> AIMessage:
        return AIMessage(content=text)

    def _call(self, tool: str, **args: Any) -> AIMessage:
        return self._calls([(tool, args)])

    def _calls(self, calls: list[Call]) -> AIMessage:
        usable = [(tool, args) for tool, args in calls if tool in self.tools]
        if not usable:
            return self._say(phrasing.small_talk("unknown", self.language))
        return AIMessage(
            content="",
            tool_calls=[
                {"name": tool, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"}
                for tool, args in usable
            ],
        )


_SIZE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(\"|”|''|inch\w*|pulgadas?|gb|tb|ml|l|lt|kg|g|w|pies|feet)(?!\w)"
)


def _measure_for(
    intent: Intent, shown: Sequence[dict[str, Any]]
) -> tuple[Callable[[dict[str, Any]], Decimal | None] | None, bool]:
    """What "beyond" compares ("cheaper": the price; "bigger": the size in the name, in
    the unit the products shown give it) and whether less is wanted."""
    if intent.size is None:
        return price_of, intent.order == "price_low"
    units = {size[1] for size in (_size_in(p) for p in shown) if size is not None}
    if len(units) != 1:
        return None, False
    (unit,) = units

    def size(product: dict[str, Any]) -> Decimal | None:
        found = _size_in(product)
        return found[0] if found is not None and found[1] == unit else None

    return size, intent.size == "small"


def _as_read(content: Any) -> dict[str, Any]:
    """The query and city a search answer says it searched for."""
    if not isinstance(content, dict) or not content.get("query"):
        return {}
    read = {"query": content["query"]}
    return read | {"city": content["city"]} if content.get("city") else read


def _without(words: Sequence[str] | None, unwanted: set[str]) -> list[str]:
    return [word for word in words or () if word not in unwanted]


def _size_in(product: dict[str, Any]) -> tuple[Decimal, str] | None:
    """The first size a product's name gives ('55"', "128GB", "1L", "talla M"), and its
    unit."""
    lettered = _LETTER_SIZE.search(fold(product.get("name", "")))
    if lettered:
        return _LETTER_SIZES[lettered.group(1)], "size"
    match = _SIZE.search(product.get("name", "").lower())
    if not match:
        return None
    unit = match.group(2)
    unit = '"' if unit in ('"', "”", "''") or unit.startswith(("inch", "pulgada")) else unit
    return Decimal(match.group(1).replace(",", ".")), unit


_LETTER_SIZES = {
    size: Decimal(rank)
    for rank, sizes in enumerate(
        (("rn", "xxs"), ("xs",), ("p", "s"), ("m",), ("g", "l"), ("xg", "xl"), ("xxg", "xxl"))
    )
    for size in sizes
}
"""Clothing and diaper sizes, smallest first (RN: newborn; P, G: pequeña, grande)."""
_LETTER_SIZE = re.compile(r"\b(?:talla|size)\s+(" + "|".join(_LETTER_SIZES) + r")\b")

_VOLUME = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ml|l|lt|litros?|liters?|litres?)\b")
_WEIGHT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(kg|kilos?|g|gr|grs|gramos?)\b")


def _litres_in(product: dict[str, Any]) -> Decimal | None:
    """The litres in one unit of the product, from its name ("Leche entera 1L", "Aceite
    500ml"), when it is sold by the unit."""
    if product.get("unit", "unit") != "unit":
        return None
    return _size_named(product, _VOLUME, thousandths=("ml",))


def _kilos_in(product: dict[str, Any]) -> Decimal | None:
    """The kilos in one bag or pack of the product, from its name ("Arroz blanco 1kg",
    "Café molido 500g"), when it is not sold by weight."""
    if product.get("unit", "unit") == "kg":
        return None
    return _size_named(product, _WEIGHT, thousandths=("g", "gr", "grs", "gramo", "gramos"))


def _size_named(
    product: dict[str, Any], pattern: re.Pattern[str], *, thousandths: tuple[str, ...]
) -> Decimal | None:
    """The first amount `pattern` finds in the product's name, in litres or kilos (the
    units in `thousandths` are millilitres or grams)."""
    # (not folded: that would drop the point of "1.5L")
    match = pattern.search(unaccented(product.get("name", "")).lower())
    if not match:
        return None
    size = Decimal(match.group(1).replace(",", "."))
    return size / 1000 if match.group(2) in thousandths else size


def _by_weight(product: dict[str, Any]) -> bool:
    """Sold by the kilo, or in bags whose name gives their weight."""
    return product.get("unit") == "kg" or bool(_kilos_in(product))


_DOZEN_WORDS = frozenset({"dozen", "docena", "a dozen", "una docena"})


def _names_a_unit(phrase: str) -> bool:
    """ "el paquete", "the pack", "la caja": how a product is sold, not which product."""
    words = [word for word in fold(phrase).split() if word not in STOPWORDS]
    return bool(words) and all(word in UNIT_WORDS for word in words)


_DOZEN_PACK = re.compile(r"docena|dozen|\b12\b|x ?12")


def _sold_by_the_dozen(product: dict[str, Any]) -> bool:
    unit = product.get("unit", "unit")
    return unit == "dozen" or (unit == "pack" and bool(_DOZEN_PACK.search(fold(product["name"]))))


def _fitting(quantity: Quantity | None, product: dict[str, Any]) -> Quantity | None:
    """A quantity asked for before the product was chosen, if it still applies to it: "2
    dozen" fits a dozen pack, not a carton of 30 (that one gets the default, one)."""
    if quantity is None or quantity.unit in (None, product.get("unit")):
        return quantity
    if quantity.unit == "l":  # "2 litros de leche": bottles of a litre, or none that fit
        return quantity if _litres_in(product) else None
    if quantity.unit == "dozen":
        return quantity if _sold_by_the_dozen(product) or product.get("unit") == "unit" else None
    if quantity.unit in ("kg", "g", "lb"):  # "medio kilo": by weight, or bags of a weight
        return quantity if _by_weight(product) else None
    return None


def product_quantity(quantity: Quantity | None, product: dict[str, Any]) -> Decimal:
    """What the shopper asked for, in the product's own unit ("a dozen eggs" is one pack of
    twelve, or twelve eggs sold by the unit; "500 g" of a product sold by the kg is 0.5)."""
    if quantity is None:
        return Decimal(1)
    unit, amount = product.get("unit", "unit"), quantity.amount
    if quantity.unit == "dozen":
        if _sold_by_the_dozen(product):
            return amount
        return amount * 12 if unit == "unit" else amount
    if quantity.unit == "g" and unit == "kg":
        return amount / 1000
    if quantity.unit == "l" and (litres := _litres_in(product)):
        return max((amount / litres).to_integral_value(rounding=ROUND_CEILING), Decimal(1))
    if quantity.unit == "lb" and unit == "kg":
        return (amount * Decimal("0.4536")).quantize(Decimal("0.001"))
    if quantity.unit in ("kg", "g", "lb") and (kilos := _kilos_in(product)):
        # "un kilo de café": two bags of 500 g
        per_kilo = {"kg": Decimal(1), "g": Decimal("0.001"), "lb": Decimal("0.4536")}
        bags = amount * per_kilo[quantity.unit] / kilos
        return max(bags.to_integral_value(rounding=ROUND_CEILING), Decimal(1))
    return amount


def _pending_question(messages: Sequence[BaseMessage]) -> str | None:
    for message in messages:
        if isinstance(message, SystemMessage):
            match = _PENDING_LINE.search(message.text)
            return match.group(1) if match else None
    return None


def _last_human(messages: Sequence[BaseMessage]) -> int:
    """The index of the customer's latest message (-1: none)."""
    return max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)


def _cart(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """The cart as the system prompt lists it (the model sees what an LLM would see)."""
    for message in messages:
        if isinstance(message, SystemMessage):
            return [
                {
                    "item_code": code,
                    "name": name,
                    "quantity": quantity,
                    "unit": unit,
                    "unit_price": price,
                }
                for code, name, quantity, unit, price in _CART_LINE.findall(message.text)
            ]
    return []


def _language(messages: Sequence[BaseMessage], text: str) -> Language:
    """The language the system prompt asks for, else the customer's."""
    for message in messages:
        if isinstance(message, SystemMessage):
            match = _LANGUAGE_LINE.search(message.text)
            if match:
                return "es" if match.group(1) == "es" else "en"
    return detect_language(text)
