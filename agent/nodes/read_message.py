"""read_message: what every turn does first, whatever the stage."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, RemoveMessage

from agent.language import detect_language
from agent.messages import last_human_text
from agent.state import ConversationState

KEPT_TURNS = 10
"""Customer turns kept in the checkpointed transcript. Older ones are dropped: every turn
loads and stores the whole state, so an unbounded transcript makes each turn slower."""


async def read_message(state: ConversationState) -> dict[str, Any]:
    """Follow the customer's language (kept when unclear, switched when they switch) and
    keep the transcript to the last `KEPT_TURNS` turns."""
    update: dict[str, Any] = {}
    language = detect_language(last_human_text(state.messages), state.language)
    if language != state.language:
        update["language"] = language
    turns = [i for i, m in enumerate(state.messages) if isinstance(m, HumanMessage)]
    if len(turns) > KEPT_TURNS:
        first_kept = turns[-KEPT_TURNS]
        update["messages"] = [
            RemoveMessage(id=m.id) for m in state.messages[:first_kept] if m.id is not None
        ]
    return update
