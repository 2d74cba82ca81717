"""How conversation checkpoints are serialized: LangGraph's own format, read faster.

Every turn loads the conversation's transcript from its checkpoint. LangGraph's serializer
rebuilds each message by validating it again (`AIMessage(**fields)`), which was about a
twentieth of a turn's CPU. The fields were written by a validated message, so the
transcript's messages are rebuilt as they were stored (`model_construct`). Everything else,
and the format on disk, is LangGraph's: a checkpoint written by either serializer reads
with the other.

Only the types LangGraph lists as safe are rebuilt (its strict mode): a checkpoint row
cannot make the service import and construct an arbitrary class.

The saver (`CheckpointSaver`) is LangGraph's, with one query changed: reading a checkpoint
looks its channel values up by key, where LangGraph's query hashes every value the thread
ever stored (each turn adds one), so a conversation's turns grew slower with its age.

It also (de)serializes on the event loop. LangGraph's saver hands that work to a thread
(`asyncio.to_thread`), twice a turn; but Python threads do not run Python code in
parallel, and a conversation's checkpoint is small (its transcript is kept short), so the
thread only added its hand-offs: with fifty customers at once, the turns used about a
tenth more CPU than with the work done in place.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any, ParamSpec, TypeVar

import ormsgpack
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langgraph.checkpoint.postgres import aio
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.jsonplus import (
    EXT_PYDANTIC_V2,
    JsonPlusSerializer,
    _create_msgpack_ext_hook,
)

from storage.db import Pool

log = logging.getLogger(__name__)

_MESSAGES: dict[tuple[str, str], type[BaseMessage]] = {
    (kind.__module__, kind.__name__): kind
    for kind in (AIMessage, HumanMessage, SystemMessage, ToolMessage, RemoveMessage)
}

_langgraphs_hook = _create_msgpack_ext_hook(None)  # None: only LangGraph's safe types


def _rebuild(code: int, data: bytes) -> Any:
    if code == EXT_PYDANTIC_V2:
        module, name, fields, *_ = ormsgpack.unpackb(
            data, ext_hook=_rebuild, option=ormsgpack.OPT_NON_STR_KEYS
        )
        kind = _MESSAGES.get((module, name))
        if kind is not None:
            return kind.model_construct(**fields)
    return _langgraphs_hook(code, data)


def checkpoint_serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=None, __unpack_ext_hook__=_rebuild)


_JOIN_EVERY_VALUE = """
        from jsonb_each_text(checkpoint -> 'channel_versions')
        inner join checkpoint_blobs bl
            on bl.thread_id = checkpoints.thread_id
            and bl.checkpoint_ns = checkpoints.checkpoint_ns
            and bl.channel = jsonb_each_text.key
            and bl.version = jsonb_each_text.value
"""
_LOOK_UP_EACH_VALUE = """
        from jsonb_each_text(checkpoint -> 'channel_versions') v,
        lateral (
            select b.channel, b.type, b.blob from checkpoint_blobs b
            where b.thread_id = checkpoints.thread_id
                and b.checkpoint_ns = checkpoints.checkpoint_ns
                and b.channel = v.key
                and b.version = v.value
            offset 0
        ) bl
"""
"""PostgreSQL estimates a hundred rows for `jsonb_each_text` and so prefers hashing all the
thread's stored values to a primary-key lookup per channel; `offset 0` keeps the lookup
a subquery run per channel (a dozen index probes, whatever the thread's age)."""


def select_by_key(select_sql: str) -> str:
    """LangGraph's checkpoint query with the channel values looked up by key; unchanged
    (and said so) if a LangGraph release has reworded it."""
    if _JOIN_EVERY_VALUE not in select_sql:
        log.warning("LangGraph's checkpoint query has changed; reading it unmodified")
        return select_sql
    return select_sql.replace(_JOIN_EVERY_VALUE, _LOOK_UP_EACH_VALUE)


Params = ParamSpec("Params")
Result = TypeVar("Result")


class _AsyncioInPlace(ModuleType):
    """`asyncio` as LangGraph's Postgres saver module sees it: `to_thread` runs the
    function in place. The saver calls it only to (de)serialize checkpoints and writes."""

    def __init__(self) -> None:
        super().__init__("asyncio")

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def to_thread(
        function: Callable[Params, Result], /, *args: Params.args, **kwargs: Params.kwargs
    ) -> Result:
        return function(*args, **kwargs)


if vars(aio).get("asyncio") is asyncio:
    vars(aio)["asyncio"] = _AsyncioInPlace()


class CheckpointSaver(AsyncPostgresSaver):
    SELECT_SQL = select_by_key(AsyncPostgresSaver.SELECT_SQL)


def checkpoint_saver(pool: Pool) -> CheckpointSaver:
    """LangGraph's Postgres saver on `pool`, with this module's serializer and query."""
    return CheckpointSaver(pool, serde=checkpoint_serializer())
