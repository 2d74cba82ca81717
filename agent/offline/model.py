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
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.language import Language, detect_language
from agent.offline import phrasing
from agent.offline.intents import Intent, parse_message
from agent.offline.references import recent_products, resolve, tool_results

_LANGUAGE_LINE = re.compile(r"^Language: (es|en)\b", re.MULTILINE)


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


class Planner:
    """Decides the next step of one turn from the transcript."""

    def __init__(self, messages: Sequence[BaseMessage], tools: Sequence[str]) -> None:
        self.tools = set(tools)
        start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
        self.text = messages[start].text if start >= 0 else ""
        self.history = [m for m in messages[:start] if not isinstance(m, SystemMessage)]
        self.this_turn = list(messages[start + 1 :]) if start >= 0 else []
        self.results = tool_results([*self.history, *self.this_turn])[
            len(tool_results(self.history)) :
        ]
        self.language = _language(messages, self.text)

    def next_message(self) -> AIMessage:
        intent = parse_message(self.text)[0]
        handler = getattr(self, f"_on_{intent.kind}", None)
        if handler is None:
            return self._say(phrasing.small_talk("unknown", self.language))
        message: AIMessage = handler(intent)
        return message

    # intents -----------------------------------------------------------------

    def _on_human(self, intent: Intent) -> AIMessage:
        if "request_human_agent" in self.tools and not self.results:
            return self._call("request_human_agent", reason="customer asked for a person")
        return self._say(phrasing.small_talk("unknown", self.language))

    def _on_search(self, intent: Intent) -> AIMessage:
        if not self.results:
            shown = recent_products(self.history)
            if shown and intent.phrase and len(intent.phrase.split()) <= 3:
                meant = resolve(intent.phrase, shown)
                if meant is not None and len(shown) > 1:
                    return self._call("get_product_details", item_code=meant["item_code"])
            args: dict[str, Any] = {"query": intent.phrase or self.text}
            if intent.max_price is not None:
                args["max_price"] = float(intent.max_price)
            return self._call("search_products", **args)
        return self._answer_from_results()

    def _on_details(self, intent: Intent) -> AIMessage:
        if not self.results:
            meant = resolve(intent.phrase, recent_products(self.history))
            if meant is not None:
                return self._call("get_product_details", item_code=meant["item_code"])
            if intent.phrase:
                return self._call("search_products", query=intent.phrase)
            return self._say(phrasing.small_talk("unknown", self.language))
        return self._answer_from_results()

    def _on_add(self, intent: Intent) -> AIMessage:
        # Cart tools arrive with ordering; until then, show the products asked for.
        phrase = " ".join(item.phrase for item in intent.items if item.phrase)
        return self._on_search(Intent("search", phrase=phrase or self.text))

    def _on_greeting(self, intent: Intent) -> AIMessage:
        return self._say(phrasing.small_talk("greeting", self.language))

    def _on_thanks(self, intent: Intent) -> AIMessage:
        return self._say(phrasing.small_talk("thanks", self.language))

    # answers -----------------------------------------------------------------

    def _answer_from_results(self) -> AIMessage:
        parts = []
        for name, _args, content in self.results:
            if name == "search_products" and isinstance(content, dict):
                parts.append(phrasing.search_answer(content, self.language))
            elif name == "get_product_details" and isinstance(content, dict):
                parts.append(phrasing.details_answer(content, self.language))
        return self._say("\n\n".join(parts) or phrasing.small_talk("unknown", self.language))

    def _say(self, text: str) -> AIMessage:
        return AIMessage(content=text)

    def _call(self, tool: str, **args: Any) -> AIMessage:
        if tool not in self.tools:
            return self._say(phrasing.small_talk("unknown", self.language))
        call_id = f"call_{uuid.uuid4().hex[:12]}"
        return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": call_id}])


def _language(messages: Sequence[BaseMessage], text: str) -> Language:
    """The language the system prompt asks for, else the customer's."""
    for message in messages:
        if isinstance(message, SystemMessage):
            match = _LANGUAGE_LINE.search(message.text)
            if match:
                return "es" if match.group(1) == "es" else "en"
    return detect_language(text)
