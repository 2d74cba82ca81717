"""Checkpoints read with the service's serializer are what LangGraph's own would read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from storage.checkpoints import checkpoint_serializer

SEARCH = AIMessage(
    "", id="a1", tool_calls=[{"name": "search_products", "args": {"query": "arroz"}, "id": "c1"}]
)
TRANSCRIPT = [
    SystemMessage("Language: es", id="s"),
    HumanMessage("hola, ¿tienen arroz?", id="h1", additional_kwargs={"spoken": True}),
    SEARCH,
    ToolMessage('{"results": []}', tool_call_id="c1", name="search_products", id="t1"),
    AIMessage([{"type": "text", "text": "Sí, tenemos arroz."}], id="a2"),
]


@dataclass
class Unlisted:
    secret: str


def test_a_transcript_reads_back_equal_and_typed() -> None:
    ours = checkpoint_serializer()
    stored = JsonPlusSerializer().dumps_typed(TRANSCRIPT)

    read = ours.loads_typed(stored)

    assert read == TRANSCRIPT
    assert [type(m) for m in read] == [type(m) for m in TRANSCRIPT]
    assert isinstance(read[2], AIMessage)
    assert read[2].tool_calls == SEARCH.tool_calls
    assert read[1].text == "hola, ¿tienen arroz?"


def test_what_either_serializer_writes_the_other_reads() -> None:
    ours = checkpoint_serializer()
    value: dict[str, Any] = {
        "messages": TRANSCRIPT,
        "cart": [{"item_code": "AR-1", "quantity": "2"}],
        "at": datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
    }
    assert ours.loads_typed(JsonPlusSerializer().dumps_typed(value)) == value
    assert JsonPlusSerializer().loads_typed(ours.dumps_typed(value)) == value


def test_a_class_langgraph_does_not_list_as_safe_is_not_rebuilt() -> None:
    ours = checkpoint_serializer()
    stored = JsonPlusSerializer().dumps_typed({"x": Unlisted("s")})
    assert not isinstance(ours.loads_typed(stored)["x"], Unlisted)
