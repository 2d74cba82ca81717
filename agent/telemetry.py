"""Prometheus metrics of the agent: turns, model calls and tool calls.

Model calls are timed where they are made (`agent.models.call_model`) and tool calls are
counted from each turn's tool messages. A LangChain callback handler passed with every
turn did the same with no code in the nodes, but cost 7 % of a turn's CPU: with any
handler present, every event of every step goes through LangChain's async dispatch.
Metrics live in the process's default registry; with several workers `api.metrics`
aggregates them across processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar

from langchain_core.messages import BaseMessage, ToolMessage
from prometheus_client import Counter, Histogram

CONVERSATION_ID: ContextVar[str | None] = ContextVar("conversation_id", default=None)
"""The conversation whose turn is running: logs put it on every line."""

TURNS = Counter("store_assistant_turns", "Customer turns processed", ["channel", "outcome"])
TURN_SECONDS = Histogram(
    "store_assistant_turn_seconds",
    "Wall time of a turn, model time included",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
TURN_MODEL_SECONDS = Histogram(
    "store_assistant_turn_model_seconds",
    "Time a turn spent waiting for the chat model",
    ["channel"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60),
)
MODEL_CALLS = Counter("store_assistant_model_calls", "Chat model calls", ["provider", "outcome"])
TOOL_CALLS = Counter("store_assistant_tool_calls", "Tool calls by tool", ["tool"])


class TurnMetrics:
    """One turn's model calls and the time it waited for them."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.model_seconds = 0.0

    def model_call(self, seconds: float, *, ok: bool) -> None:
        self.model_seconds += seconds
        MODEL_CALLS.labels(provider=self.provider, outcome="ok" if ok else "error").inc()


CURRENT_TURN: ContextVar[TurnMetrics | None] = ContextVar("current_turn", default=None)
"""The running turn's metrics. LangGraph runs each node in a task with a copy of the
context, and the copies share this one object, so `call_model` adds to it."""


def count_tool_calls(messages: Sequence[BaseMessage]) -> None:
    """Count the tool calls a turn made, from the tool messages that answered them."""
    for message in messages:
        if isinstance(message, ToolMessage):
            TOOL_CALLS.labels(tool=message.name or "unknown").inc()
