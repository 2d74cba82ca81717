"""The tool that hands the conversation to a person."""

from __future__ import annotations

from langchain_core.messages import ToolMessage
from langchain_core.tools import tool
from langgraph.prebuilt import ToolRuntime
from langgraph.types import Command

from agent.context import Context
from agent.state import ConversationState


@tool
def request_human_agent(
    runtime: ToolRuntime[Context, ConversationState], reason: str = ""
) -> Command[None]:
    """Hand the conversation to a human agent when the customer asks for a person."""
    return Command(
        update={
            "stage": "handoff",
            "messages": [
                ToolMessage("handed over to a human agent", tool_call_id=runtime.tool_call_id)
            ],
        }
    )
