"""The tool that hands the conversation to a person."""

from __future__ import annotations

from langchain_core.messages import ToolMessage
from langchain_core.tools import tool
from langgraph.types import Command

from agent.tools.arguments import CallId


@tool
def request_human_agent(call_id: CallId, reason: str = "") -> Command[None]:
    """Hand the conversation to a human agent when the customer asks for a person."""
    return Command(
        update={
            "stage": "handoff",
            "messages": [ToolMessage("handed over to a human agent", tool_call_id=call_id)],
        }
    )
