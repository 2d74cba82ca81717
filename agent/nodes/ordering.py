"""ordering: the model talks with the customer and acts through the catalog tools."""

from __future__ import annotations

import logging
from typing import Literal

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import Context, services_of
from agent.messages import recent_window
from agent.models import call_model
from agent.prompts import ordering_prompt
from agent.replies import say
from agent.routing import route_after_model
from agent.state import ConversationState
from agent.tools import TOOLS

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 6


async def ordering(
    state: ConversationState, runtime: Runtime[Context]
) -> Command[Literal["tools", "handoff", "__end__"]]:
    if state.stage == "handoff":
        return Command(goto="handoff")  # a tool handed the conversation to a person
    services = await services_of(runtime.context)
    if _tool_rounds_this_turn(state) >= MAX_TOOL_ROUNDS:
        return Command(
            update={"messages": [AIMessage(say("model_unavailable", state.language))]},
            goto="__end__",
        )
    prompt = ordering_prompt(
        store=services.store_name,
        language=state.language,
        customer=state.customer,
        currency=services.currency,
        cart=state.cart,
        pending_question=state.pending_question,
    )
    model = _with_tools(services.model)
    try:
        response = await call_model(
            model,
            [SystemMessage(prompt), *recent_window(state.messages)],
            attempts=services.model_attempts,
        )
    except Exception:
        # The turn still ends with a consistent transcript: every tool call is answered,
        # and the customer gets a polite reply in their language.
        log.exception(
            "chat model failed", extra={"conversation_id": runtime.context.conversation_id}
        )
        response = AIMessage(say("model_unavailable", state.language))
    goto = route_after_model(response)
    update: dict[str, object] = {"messages": [response], "order_started": True}
    if goto == "__end__" and state.pending_question:
        update["pending_question"] = None  # answered
    return Command(update=update, goto=goto)


_bound: dict[int, tuple[BaseChatModel, Runnable[LanguageModelInput, AIMessage]]] = {}


def _with_tools(model: BaseChatModel) -> Runnable[LanguageModelInput, AIMessage]:
    """The model with the tools bound, built once per model: binding converts every tool's
    schema, which is too slow to repeat on each call."""
    cached = _bound.get(id(model))
    if cached is None or cached[0] is not model:
        cached = (model, model.bind_tools(TOOLS))
        _bound[id(model)] = cached
    return cached[1]


def _tool_rounds_this_turn(state: ConversationState) -> int:
    rounds = 0
    for message in reversed(state.messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and message.tool_calls:
            rounds += 1
    return rounds
