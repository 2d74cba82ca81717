"""read_message: what every turn does first, whatever the stage."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, RemoveMessage, ToolMessage
from langgraph.types import Command

from agent.language import detect_language
from agent.messages import last_human_text
from agent.names import is_request
from agent.routing import LOCATION_PIN, FirstStep, route_by_stage
from agent.state import ConversationState

KEPT_TURNS = 10
"""Customer turns kept in the checkpointed transcript. Older ones are dropped: every turn
loads and stores the whole state, so an unbounded transcript makes each turn slower."""

TOOL_TURNS = 4
"""Turns (this one included) whose tool calls and results are kept. Older ones keep only
what the customer and the assistant said: search results are most of a transcript's
weight, and "the second one" refers to something shown a moment ago."""


async def read_message(state: ConversationState) -> Command[FirstStep]:
    """Follow the customer's language (kept when unclear, switched when they switch), keep
    the transcript to the last `KEPT_TURNS` turns, and go where the conversation stands."""
    update: dict[str, Any] = {}
    text = last_human_text(state.messages)
    # A name or an address says nothing of the language ("Av. Cedeño 120", written by an
    # English speaker): while one is asked for (registering, or a new delivery address),
    # only a request can switch it; nor does a shared location.
    asked = state.registration.get("step") in ("name", "address") or state.proposed_address == ""
    answering = (asked and not is_request(text)) or text.startswith(LOCATION_PIN)
    language = state.language if answering else detect_language(text, state.language)
    if language != state.language:
        update["language"] = language
    turns = [i for i, m in enumerate(state.messages) if isinstance(m, HumanMessage)]
    first_kept = turns[-KEPT_TURNS] if len(turns) > KEPT_TURNS else 0
    first_with_tools = turns[-TOOL_TURNS] if len(turns) > TOOL_TURNS else 0
    dropped = [
        m.id
        for index, m in enumerate(state.messages[:first_with_tools])
        if m.id is not None and (index < first_kept or _is_tool_traffic(m))
    ]
    if dropped:
        update["messages"] = [RemoveMessage(id=id_) for id_ in dropped]
    return Command(update=update, goto=route_by_stage(state))


def _is_tool_traffic(message: AnyMessage) -> bool:
    return isinstance(message, ToolMessage) or (
        isinstance(message, AIMessage) and bool(message.tool_calls)
    )
