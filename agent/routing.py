"""Pure routers: each reads the state and names the next node."""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage

from agent.messages import last_human_text
from agent.state import ConversationState

LOCATION_PIN = "📍"
"""Channels write a shared location as a message starting with this pin."""


def route_by_stage(
    state: ConversationState,
) -> Literal[
    "greeting", "verification", "ordering", "confirm_order", "confirm_address", "end_handoff"
]:
    """Every turn starts where the conversation stands; an open checkout read-back, or a
    shared location, is answered by its confirmation step first."""
    if state.stage == "handoff":
        return "end_handoff"
    if state.stage == "ordering" and state.checkout_pending:
        return "confirm_order"
    if state.stage == "ordering" and (
        state.proposed_address is not None
        or last_human_text(state.messages).startswith(LOCATION_PIN)
    ):
        return "confirm_address"
    return state.stage


def route_after_model(state: ConversationState) -> Literal["tools", "__end__"]:
    """Run the tools the model asked for; otherwise the turn is over."""
    last = state.messages[-1] if state.messages else None
    if isinstance(last, AIMessage) and last.tool_calls:
        return "tools"
    return "__end__"


def route_after_tools(state: ConversationState) -> Literal["ordering", "handoff"]:
    """A tool may hand the conversation to a person; otherwise the model reads the results."""
    return "handoff" if state.stage == "handoff" else "ordering"
