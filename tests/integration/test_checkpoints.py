"""The service's checkpoint saver reads what LangGraph's reads, without hashing the
thread's whole history to do it."""

from __future__ import annotations

import operator
import threading
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages

from storage.checkpoints import checkpoint_saver, select_by_key
from storage.db import Pool, open_pool

pytestmark = pytest.mark.integration

TURNS = 40


class Chat(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    cart: Annotated[list[str], operator.add]
    turns: int


def _answer(state: Chat) -> dict[str, Any]:
    return {
        "messages": [AIMessage(f"answer {state['turns']}")],
        "cart": [f"item {state['turns']}"],
        "turns": state["turns"] + 1,
    }


async def _blob_scans(pool: Pool, sql: str, thread_id: str) -> list[dict[str, Any]]:
    """The plan nodes by which the checkpoint query read checkpoint_blobs, as run."""
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + sql + "WHERE thread_id = %s "
            "AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1",
            (thread_id,),
        )
        row = await cursor.fetchone()
    assert row is not None
    nodes, scans = [row["QUERY PLAN"][0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node.get("Relation Name") == "checkpoint_blobs":
            scans.append(node)
    return scans


async def test_a_long_conversation_reads_back_the_same_by_key(database_url: str) -> None:
    pool = await open_pool(database_url)
    try:
        ours = checkpoint_saver(pool)
        builder = StateGraph(Chat)
        builder.add_node("answer", _answer)
        builder.add_edge(START, "answer")
        graph = builder.compile(checkpointer=ours)
        config: Any = {"configurable": {"thread_id": "long-chat"}}
        for turn in range(TURNS):
            update = {"messages": [HumanMessage(f"question {turn}")], "turns": turn}
            await graph.ainvoke(update, config, durability="exit")

        theirs = AsyncPostgresSaver(pool, serde=ours.serde)
        read, expected = await ours.aget_tuple(config), await theirs.aget_tuple(config)
        assert read is not None
        assert expected is not None
        assert read.checkpoint == expected.checkpoint
        assert len(read.checkpoint["channel_values"]["messages"]) == 2 * TURNS
        assert read.checkpoint["channel_values"]["cart"][-1] == f"item {TURNS - 1}"

        channels = len(read.checkpoint["channel_versions"])
        by_key = await _blob_scans(pool, ours.SELECT_SQL, "long-chat")
        assert by_key
        for scan in by_key:  # one primary-key probe (one row at most) per channel
            assert scan["Index Name"] == "checkpoint_blobs_pkey"
            assert "channel = v.key" in scan["Index Cond"]
            assert "version = v.value" in scan["Index Cond"]
            assert scan["Actual Loops"] <= channels
        # What the change is for: LangGraph's own query reads every value ever stored.
        every_value = await _blob_scans(pool, theirs.SELECT_SQL, "long-chat")
        assert sum(s["Actual Rows"] * s["Actual Loops"] for s in every_value) >= 2 * TURNS
    finally:
        await pool.close()


def test_a_reworded_langgraph_query_is_used_as_it_is(caplog: pytest.LogCaptureFixture) -> None:
    reworded = "select checkpoint from checkpoints "
    assert select_by_key(reworded) == reworded
    assert "checkpoint query has changed" in caplog.text
    assert select_by_key(AsyncPostgresSaver.SELECT_SQL) != AsyncPostgresSaver.SELECT_SQL


async def test_checkpoints_are_serialized_on_the_event_loop(database_url: str) -> None:
    """No thread hand-off per turn: the saver's (de)serialization runs where it is awaited."""
    pool = await open_pool(database_url)
    try:
        saver = checkpoint_saver(pool)
        threads: list[int] = []

        def on_this_thread(function: Any) -> Any:
            def spied(*args: Any) -> Any:
                threads.append(threading.get_ident())
                return function(*args)

            return spied

        saver._dump_blobs = on_this_thread(saver._dump_blobs)  # type: ignore[method-assign]
        saver._load_writes = on_this_thread(saver._load_writes)  # type: ignore[method-assign]
        builder = StateGraph(Chat)
        builder.add_node("answer", _answer)
        builder.add_edge(START, "answer")
        graph = builder.compile(checkpointer=saver)
        config: Any = {"configurable": {"thread_id": "in-place"}}
        for turn in range(2):
            update = {"messages": [HumanMessage(f"question {turn}")], "turns": turn}
            state = await graph.ainvoke(update, config, durability="exit")
        assert state["turns"] == 2
        assert len(threads) >= 3  # two writes, and a read that found a checkpoint
        assert set(threads) == {threading.get_ident()}
    finally:
        await pool.close()
