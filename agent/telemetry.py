"""Prometheus metrics of the agent: turns, model calls and tool calls.

Model and tool calls are counted by a LangChain callback handler passed with each turn,
so nodes and tools stay free of instrumentation. Metrics live in the process's default
registry; with several workers `api.metrics` aggregates them across processes.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.outputs import LLMResult
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


class TurnMetrics(AsyncCallbackHandler):
    """Counts one turn's model and tool calls and adds up its model time."""

    # Only model and tool events are wanted (tools report under "agent"): skipping the
    # rest keeps every graph step free of this handler.
    ignore_chain = True
    ignore_retriever = True
    ignore_custom_event = True

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.model_seconds = 0.0
        self._started: dict[UUID, float] = {}

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        self._started[run_id] = time.perf_counter()

    async def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        self._finish(run_id, "ok")

    async def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._finish(run_id, "error")

    async def on_tool_start(
        self, serialized: dict[str, Any], input_str: str, **kwargs: Any
    ) -> None:
        TOOL_CALLS.labels(tool=str((serialized or {}).get("name") or kwargs.get("name"))).inc()

    def _finish(self, run_id: UUID, outcome: str) -> None:
        started = self._started.pop(run_id, None)
        if started is not None:
            self.model_seconds += time.perf_counter() - started
        MODEL_CALLS.labels(provider=self.provider, outcome=outcome).inc()
