"""Pure routers: each names the next node. The nodes return them in a `Command`, which
costs LangGraph less than a conditional edge (an edge re-reads the whole state after
every step to decide)."""

from __future__ import annotations

from typing import Literal

from agent.messages import last_human_text
from agent.names import address_change
from agent.state import ConversationState

LOCATION_PIN = "📍"
"""Channels write a shared location as a message starting with this pin."""

FirstStep = Literal[
    "greeting", "verification", "ordering", "confirm_order", "confirm_address", "end_handoff"
]


def route_by_stage(state: ConversationState) -> FirstStep:
    """Every turn starts where the conversation stands; an open checkout read-back, or a
    shared location, is answered by its confirmation step first."""
    if state.stage == "handoff":
        return "end_handoff"
    if state.stage == "ordering":
        # A new address first: a checkout read-back waiting for its yes is placed only
        # once the address it goes to is settled.
        text = last_human_text(state.messages)
        if (
            state.proposed_address is not None
            or text.startswith(LOCATION_PIN)
            or address_change(text) is not None
        ):
            return "confirm_address"
        if state.checkout_pending:
            return "confirm_order"
    return state.stage
