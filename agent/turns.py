"""Running one customer turn: lock the conversation, respect pauses, invoke the graph.

Every channel (REST, terminal chat, webhooks) comes through `TurnRunner.run`, so they all
share the same guarantees: one turn at a time per conversation (a Redis lock, valid across
processes), silence while a person handles the conversation, and one thread per customer
and channel.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from redis.asyncio import Redis

from agent.context import Context, Services
from agent.messages import reply_of_turn
from agent.state import CartLine, Stage

log = logging.getLogger(__name__)


def conversation_id_for(channel: str, identity: str) -> str:
    """The thread id: stable per channel and customer, with no phone number in it."""
    digest = hashlib.sha256(f"{channel}\x00{identity}".encode()).hexdigest()[:20]
    return f"{channel}-{digest}"


@dataclass(frozen=True, slots=True)
class TurnResult:
    reply: str
    conversation_id: str
    stage: Stage
    cart: list[CartLine] = field(default_factory=list)
    paused: bool = False


class TurnRunner:
    def __init__(
        self,
        graph: CompiledStateGraph[Any, Any, Any, Any],
        services: Services,
        redis: Redis,
        *,
        lock_seconds: int = 120,
    ) -> None:
        self._graph = graph
        self._services = services
        self._redis = redis
        self._lock_seconds = lock_seconds

    async def run(
        self, *, channel: str, identity: str, text: str, customer_phone: str | None
    ) -> TurnResult:
        """Process one customer message and return what the assistant answers."""
        conversation_id = conversation_id_for(channel, identity)
        config: RunnableConfig = {"configurable": {"thread_id": conversation_id}}
        lock = self._redis.lock(
            f"turn-lock:{conversation_id}",
            timeout=self._lock_seconds,
            blocking_timeout=self._lock_seconds,
        )
        async with lock:
            conversations = self._services.conversations
            message = HumanMessage(text)
            if await conversations.start_turn(conversation_id, channel):
                # A person is handling this conversation: keep the message, say nothing.
                await self._graph.aupdate_state(config, {"messages": [message]}, as_node="handoff")
                values = (await self._graph.aget_state(config)).values
                return TurnResult(
                    "",
                    conversation_id,
                    values.get("stage", "handoff"),
                    list(values.get("cart", [])),
                    paused=True,
                )
            context = Context(
                channel=channel,
                customer_phone=customer_phone,
                conversation_id=conversation_id,
                services=self._services,
            )
            state = await self._graph.ainvoke(
                {"messages": [message]}, config, context=context, durability="exit"
            )
            customer = state.get("customer")
            await conversations.record_activity(
                conversation_id, channel, customer["id"] if customer else None, state["stage"]
            )
        return TurnResult(
            reply=reply_of_turn(state["messages"]),
            conversation_id=conversation_id,
            stage=state["stage"],
            cart=list(state.get("cart", [])),
            paused=state["stage"] == "handoff",
        )

    async def state_of(self, conversation_id: str) -> dict[str, Any]:
        """The checkpointed state of a conversation ({} when it has none)."""
        snapshot = await self._graph.aget_state({"configurable": {"thread_id": conversation_id}})
        return dict(snapshot.values)
