"""How conversation checkpoints are serialized: LangGraph's own format, read faster.

Every turn loads the conversation's transcript from its checkpoint. LangGraph's serializer
rebuilds each message by validating it again (`AIMessage(**fields)`), which was about a
twentieth of a turn's CPU. The fields were written by a validated message, so the
transcript's messages are rebuilt as they were stored (`model_construct`). Everything else,
and the format on disk, is LangGraph's: a checkpoint written by either serializer reads
with the other.

Only the types LangGraph lists as safe are rebuilt (its strict mode): a checkpoint row
cannot make the service import and construct an arbitrary class.
"""

from __future__ import annotations

from typing import Any

import ormsgpack
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langgraph.checkpoint.serde.jsonplus import (
    EXT_PYDANTIC_V2,
    JsonPlusSerializer,
    _create_msgpack_ext_hook,
)

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
