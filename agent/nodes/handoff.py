"""handoff: a person takes over; the bot pauses itself and says so."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.context import Context, services_of
from agent.replies import say
from agent.state import ConversationState


async def handoff(state: ConversationState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime.context)
    await services.conversations.pause(
        runtime.context.conversation_id,
        minutes=services.handoff_pause_minutes,
        reason="customer asked for a person",
        paused_by="customer",
    )
    return {
        "stage": "handoff",
        "handoff_requested": True,
        "messages": [AIMessage(say("handoff", state.language))],
    }


async def end_handoff(state: ConversationState) -> dict[str, Any]:
    """The pause is over (the service only runs the graph when it is): back to ordering."""
    return {"stage": "ordering", "handoff_requested": False}
