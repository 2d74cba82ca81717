"""greeting: the first message of a conversation; verification speaks the welcome."""

from __future__ import annotations

from typing import Any

from agent.state import ConversationState


async def greeting(state: ConversationState) -> dict[str, Any]:
    return {"stage": "verification"}
