"""Running one customer turn: lock the conversation, respect pauses, invoke the graph.

Every channel (REST, terminal chat, webhooks) comes through `TurnRunner.run`, so they all
share the same guarantees: one turn at a time per conversation (a Redis lock, valid across
processes), silence while a person handles the conversation, and one thread per customer
and channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from agent.context import Context, Services
from agent.language import Language
from agent.messages import reply_of_turn, turn_messages
from agent.offline.references import tool_results
from agent.replies import say
from agent.state import CartLine, Stage, cart_total, fresh_visit
from agent.telemetry import (
    CONVERSATION_ID,
    CURRENT_TURN,
    TURN_MODEL_SECONDS,
    TURN_SECONDS,
    TURNS,
    TurnMetrics,
    count_tool_calls,
)
from storage.models import Listing

log = logging.getLogger(__name__)


def conversation_id_for(channel: str, identity: str) -> str:
    """The thread id: stable per channel and customer, with no phone number in it."""
    digest = hashlib.sha256(f"{channel}\x00{identity}".encode()).hexdigest()[:20]
    return f"{channel}-{digest}"


@dataclass(frozen=True, slots=True)
class Choice:
    """Something the customer can pick instead of typing (a button or a list row)."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class TurnResult:
    reply: str
    conversation_id: str
    stage: Stage
    cart: list[CartLine] = field(default_factory=list)
    paused: bool = False
    language: Language = "en"
    buttons: list[Choice] = field(default_factory=list)
    """Quick answers to the reply's question (confirm or change an order)."""
    products: list[Choice] = field(default_factory=list)
    """The products this reply listed, for channels that can show a pick list."""


def _buttons(state: dict[str, Any]) -> list[Choice]:
    if not state.get("checkout_pending"):
        return []
    if state.get("language") == "es":
        # The id comes back as the customer's answer: in their language, so it stays theirs.
        return [Choice("sí", "Sí, confirmar"), Choice("no", "Cambiar algo")]
    return [Choice("yes", "Yes, confirm"), Choice("no", "Change something")]


def _products(messages: list[Any]) -> list[Choice]:
    for name, _args, content in reversed(tool_results(turn_messages(messages))):
        if name == "search_products" and isinstance(content, dict):
            return [
                Choice(p["item_code"], p["name"], f"{p['price']} {p['currency']}")
                for p in content.get("results", [])
            ]
    return []


class TurnRunner:
    def __init__(
        self,
        graph: CompiledStateGraph[Any, Any, Any, Any],
        services: Services,
        redis: Redis,
        *,
        lock_seconds: int = 30,
        keep_cart_on_timeout: bool = True,
        model_provider: str = "offline",
    ) -> None:
        self._graph = graph
        self._services = services
        self._redis = redis
        self._lock_seconds = lock_seconds
        self._keep_cart_on_timeout = keep_cart_on_timeout
        self._provider = model_provider

    async def run(
        self,
        *,
        channel: str,
        identity: str,
        text: str,
        customer_phone: str | None,
        message_id: str | None = None,
        spoken: bool = False,
    ) -> TurnResult:
        """Process one customer message and return what the assistant answers.
        `spoken`: the text is a voice note's transcript (kept so with the message)."""
        conversation_id = conversation_id_for(channel, identity)
        async with self.lock(conversation_id):
            return await self.run_locked(
                conversation_id=conversation_id,
                channel=channel,
                text=text,
                customer_phone=customer_phone,
                message_id=message_id,
                spoken=spoken,
            )

    async def say_only(self, conversation_id: str, key: str, **values: str) -> TurnResult:
        """Answer without running a turn (a voice note that could not be heard, a customer
        writing too fast): the sentence `key` in the conversation's language, or nothing
        while a person handles the conversation."""
        state = await self.state_of(conversation_id)
        language: Language = state.get("language", "en")
        paused = await self._services.conversations.active_pause(conversation_id) is not None
        return TurnResult(
            "" if paused else say(key, language, **values),
            conversation_id,
            state.get("stage", "greeting"),
            list(state.get("cart", [])),
            paused=paused,
            language=language,
        )

    @asynccontextmanager
    async def lock(self, conversation_id: str) -> AsyncIterator[None]:
        """One turn at a time per conversation, across processes: a Redis lock released
        only by its owner. Its lifetime (TURN_LOCK_SECONDS) is renewed while the turn runs,
        so a slow model call keeps it and a crashed process frees it within that time."""
        lock = self._redis.lock(
            f"turn-lock:{conversation_id}",
            timeout=self._lock_seconds,
            blocking_timeout=self._lock_seconds * 4,
        )
        if not await lock.acquire():
            raise LockError(f"conversation busy for {self._lock_seconds * 4} s")
        renewal = asyncio.create_task(self._keep(lock))
        try:
            yield
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            with contextlib.suppress(LockError):
                await lock.release()  # expired meanwhile (Redis restarted): nothing to free

    async def _keep(self, lock: Lock) -> None:
        while True:
            await asyncio.sleep(self._lock_seconds / 3)
            try:
                await lock.reacquire()
            except Exception:
                log.warning("turn lock renewal failed", exc_info=True)

    async def run_locked(
        self,
        *,
        conversation_id: str,
        channel: str,
        text: str,
        customer_phone: str | None,
        message_id: str | None = None,
        spoken: bool = False,
    ) -> TurnResult:
        """`run`, for a caller that already holds the conversation's lock. `message_id`
        (the channel's) makes a retried turn idempotent: an order it confirms is placed
        once."""
        started = time.perf_counter()
        metrics = TurnMetrics(self._provider)
        token = CONVERSATION_ID.set(conversation_id)
        turn_token = CURRENT_TURN.set(metrics)
        try:
            result = await self._turn(
                conversation_id, channel, text, customer_phone, message_id, spoken
            )
        except BaseException:
            TURNS.labels(channel=channel, outcome="failed").inc()
            raise
        finally:
            CURRENT_TURN.reset(turn_token)
            CONVERSATION_ID.reset(token)
        TURNS.labels(channel=channel, outcome="paused" if result.paused else "answered").inc()
        TURN_SECONDS.labels(channel=channel).observe(time.perf_counter() - started)
        TURN_MODEL_SECONDS.labels(channel=channel).observe(metrics.model_seconds)
        return result

    async def _turn(
        self,
        conversation_id: str,
        channel: str,
        text: str,
        customer_phone: str | None,
        message_id: str | None,
        spoken: bool = False,
    ) -> TurnResult:
        config: RunnableConfig = {"configurable": {"thread_id": conversation_id}}
        conversations = self._services.conversations
        message = HumanMessage(text, additional_kwargs={"spoken": True} if spoken else {})
        start = await conversations.start_turn(conversation_id, channel)
        if start.pause:
            # A person is handling this conversation: keep the message, say nothing.
            await self._graph.aupdate_state(config, {"messages": [message]}, as_node="handoff")
            values = (await self._graph.aget_state(config)).values
            return TurnResult(
                "",
                conversation_id,
                values.get("stage", "handoff"),
                list(values.get("cart", [])),
                paused=True,
                language=values.get("language", "en"),
            )
        context = Context(
            channel=channel,
            customer_phone=customer_phone,
            conversation_id=conversation_id,
            message_id=message_id,
            services=self._services,
        )
        turn_input: dict[str, Any] = {"messages": [message]}
        if start.reopened:  # closed for inactivity: this message begins a new visit
            turn_input = fresh_visit(message, keep_cart=self._keep_cart_on_timeout)
        state = await self._graph.ainvoke(turn_input, config, context=context, durability="exit")
        count_tool_calls(turn_messages(state["messages"]))
        customer = state.get("customer")
        listing = Listing(
            customer["id"] if customer else None,
            state["stage"],
            bool(state.get("handoff_requested")),
            cart_total(state.get("cart", [])),
        )
        if listing != start.listing:  # start_turn has already moved the activity clock
            await conversations.record_activity(
                conversation_id,
                channel,
                listing.customer_id,
                listing.stage,
                handoff_requested=listing.handoff_requested,
                cart_total=listing.cart_total,
            )
        return TurnResult(
            reply=reply_of_turn(state["messages"]),
            conversation_id=conversation_id,
            stage=state["stage"],
            cart=list(state.get("cart", [])),
            paused=state["stage"] == "handoff",
            language=state.get("language", "en"),
            buttons=_buttons(state),
            products=_products(list(state["messages"])),
        )

    async def state_of(self, conversation_id: str) -> dict[str, Any]:
        """The checkpointed state of a conversation ({} when it has none)."""
        snapshot = await self._graph.aget_state({"configurable": {"thread_id": conversation_id}})
        return dict(snapshot.values)
