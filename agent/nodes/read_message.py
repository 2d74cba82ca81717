"""read_message: what every turn does first, whatever the stage."""

from __future__ import annotations

from typing import Any

from agent.language import detect_language
from agent.messages import last_human_text
from agent.state import ConversationState


async def read_message(state: ConversationState) -> dict[str, Any]:
    """Follow the customer's language: kept when unclear, switched when they switch."""
    language = detect_language(last_human_text(state.messages), state.language)
    return {"language": language} if language != state.language else {}
