"""The conversation graph: greeting → verification → ordering (the model and its tools),
the checkout confirmation, and handoff.

The nodes name their successor in a `Command` (routers in agent/routing.py); the static
edges are the steps that always follow.

`builder` is uncompiled so the app can compile it with the Postgres checkpointer;
`graph` is compiled without one, for LangGraph Studio (which brings its own).
"""

from langgraph.graph import END, START, StateGraph

from agent.context import Context
from agent.nodes.address import confirm_address
from agent.nodes.confirmation import confirm_order
from agent.nodes.greeting import greeting
from agent.nodes.handoff import end_handoff, handoff
from agent.nodes.ordering import ordering
from agent.nodes.read_message import read_message
from agent.nodes.verification import verification
from agent.state import ConversationState

builder = StateGraph(ConversationState, context_schema=Context)
builder.add_node("read_message", read_message)
builder.add_node("greeting", greeting)
builder.add_node("verification", verification)
builder.add_node("ordering", ordering)
builder.add_node("confirm_order", confirm_order)
builder.add_node("confirm_address", confirm_address)
builder.add_node("handoff", handoff)
builder.add_node("end_handoff", end_handoff)

builder.add_edge(START, "read_message")
builder.add_edge("greeting", "verification")
builder.add_edge("end_handoff", "ordering")
builder.add_edge("handoff", END)

graph = builder.compile(name="store-assistant")

__all__ = ["builder", "graph"]
