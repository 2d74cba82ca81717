"""Tools run directly when nobody observes them, and answer exactly as LangChain's path."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, tool
from langgraph.types import Command
from pydantic import ValidationError

from agent.tools import TOOLS
from agent.tools.arguments import CallId
from agent.tools.direct import DirectTool, direct


@tool
async def repeat(word: str, times: int, call_id: CallId) -> str:
    """Say a word several times."""
    return " ".join([word] * times) + f" ({call_id})"


@tool
async def remember(word: str, call_id: CallId) -> Command[None]:
    """Keep a word."""
    return Command(update={"messages": [ToolMessage(word, tool_call_id=call_id)]})


@tool
async def configured(word: str, config: RunnableConfig) -> str:
    """Needs the run's config."""
    return word


class Starts(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.tools: list[str] = []

    async def on_tool_start(
        self, serialized: dict[str, Any], input_str: str, **kwargs: Any
    ) -> None:
        self.tools.append(serialized["name"])


def call(args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_call", "name": "repeat", "id": "call-1", "args": args}


async def test_a_direct_call_answers_like_the_full_path() -> None:
    fast = direct(repeat)
    assert isinstance(fast, DirectTool)

    answer = await fast.ainvoke(call({"word": "hola", "times": "2"}))
    expected = await repeat.ainvoke(call({"word": "hola", "times": "2"}))

    assert isinstance(answer, ToolMessage)
    assert answer.content == "hola hola (call-1)" == expected.content
    assert (answer.tool_call_id, answer.name, answer.status) == (
        expected.tool_call_id,
        expected.name,
        expected.status,
    )


async def test_a_command_is_passed_on() -> None:
    answer = await direct(remember).ainvoke(call({"word": "arroz"}))
    assert isinstance(answer, Command)
    assert answer.update["messages"][0].content == "arroz"  # type: ignore[index]


async def test_bad_arguments_fail_validation_as_on_the_full_path() -> None:
    with pytest.raises(ValidationError):
        await direct(repeat).ainvoke(call({"word": "hola", "times": "many"}))
    with pytest.raises(ValidationError):
        await repeat.ainvoke(call({"word": "hola", "times": "many"}))


async def test_a_listening_handler_sees_the_tool_run() -> None:
    starts = Starts()
    answer = await direct(repeat).ainvoke(call({"word": "hi", "times": 1}), {"callbacks": [starts]})
    assert starts.tools == ["repeat"]
    assert answer.content == "hi (call-1)"


def test_tools_that_need_the_full_path_keep_it() -> None:
    assert direct(configured) is configured
    assert all(isinstance(each, BaseTool) for each in TOOLS)
    assert any(isinstance(each, DirectTool) for each in TOOLS)
    assert all(
        isinstance(each, DirectTool) or type(each) is not StructuredTool or each.coroutine is None
        for each in TOOLS
    )
