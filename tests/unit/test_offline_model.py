"""The offline model behind LangChain's chat-model interface: what a caller and an observer
(LangSmith, Studio streaming) see."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableLambda

from agent.offline.model import OfflineChatModel
from agent.tools import TOOLS

PROMPT = SystemMessage("Language: en")


class Recorder(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.started: list[UUID] = []
        self.ended: list[LLMResult] = []

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        self.started.append(kwargs["run_id"])

    async def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.ended.append(response)


async def test_an_unobserved_call_answers_like_the_observed_one() -> None:
    model = OfflineChatModel().bind_tools(TOOLS)
    messages = [PROMPT, HumanMessage("do you have rice?")]
    recorder = Recorder()

    direct = await model.ainvoke(messages)
    observed = await model.ainvoke(messages, {"callbacks": [recorder]})

    assert isinstance(direct, AIMessage)
    assert direct.tool_calls, "a product question becomes a search"
    assert direct.tool_calls[0]["name"] == "search_products"
    assert [(c["name"], c["args"]) for c in direct.tool_calls] == [
        (c["name"], c["args"]) for c in observed.tool_calls
    ]


async def test_a_listening_handler_sees_the_model_run() -> None:
    model = OfflineChatModel().bind_tools(TOOLS)
    recorder = Recorder()

    answer = await model.ainvoke([PROMPT, HumanMessage("hello")], {"callbacks": [recorder]})

    assert len(recorder.started) == 1
    assert len(recorder.ended) == 1
    generation = recorder.ended[0].generations[0][0]
    assert isinstance(generation, ChatGeneration)
    assert generation.message.content == answer.content


async def test_a_handler_on_the_enclosing_run_sees_the_model_run() -> None:
    """As in a graph node: the model is called without a config, inside a run that has one."""
    model = OfflineChatModel().bind_tools(TOOLS)
    recorder = Recorder()

    async def node(messages: list[BaseMessage]) -> BaseMessage:
        return await model.ainvoke(messages)

    await RunnableLambda(node).ainvoke([PROMPT, HumanMessage("hello")], {"callbacks": [recorder]})

    assert len(recorder.started) == 1
