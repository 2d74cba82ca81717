"""What the tools get from the graph besides the model's arguments.

Each tool is injected only the state it reads (the cart, the customer, its call id) and
reads the run's services itself. Injecting a whole `ToolRuntime` would be simpler, but
LangChain validates and then dumps every argument of a tool call, and a ToolRuntime
carries the whole conversation state: dumping its transcript cost about 0.4 ms per
call, growing with the transcript.
"""

from __future__ import annotations

from typing import Annotated

from langchain_core.tools import InjectedToolCallId
from langgraph.prebuilt import InjectedState
from langgraph.runtime import get_runtime

from agent.context import Context, Services, services_of
from agent.state import CartLine, CustomerInfo

Cart = Annotated[list[CartLine], InjectedState("cart")]
Customer = Annotated[CustomerInfo | None, InjectedState("customer")]
CallId = Annotated[str, InjectedToolCallId]


async def run_services() -> Services:
    """The repositories and settings of the run this tool call belongs to."""
    return await services_of(get_runtime(Context).context)
