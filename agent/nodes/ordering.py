"""ordering: the model talks with the customer and acts through the catalog tools.

The model and its tools take turns inside this one step, as many rounds as the model asks
for (up to `MAX_TOOL_ROUNDS`): a graph step costs LangGraph about 0.6 ms of bookkeeping on
this machine, and a turn that searched used to take two more of them (the tools, then the
model again) than one that did not. The tools still run through LangGraph's `ToolNode`,
with its argument checks, error messages and state injection; what they change is applied
here with the state's own reducers, and reaches the checkpoint when the step ends.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AnyMessage, SystemMessage
from langchain_core.runnables import Runnable
from langgraph.config import get_config
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import Context, services_of
from agent.messages import recent_window
from agent.models import call_model
from agent.prompts import ordering_prompt
from agent.replies import say
from agent.state import CartLine, ConversationState, merge_cart
from agent.tools import TOOLS

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 6
"""Rounds of tool calls in one turn; a model that keeps asking for more gets a polite
apology said for it instead of looping."""

TOOL_NODE = ToolNode(TOOLS)


async def ordering(
    state: ConversationState, runtime: Runtime[Context]
) -> Command[Literal["handoff", "__end__"]]:
    services = await services_of(runtime.context)
    model = _with_tools(services.model)
    step = _Step(state)
    while True:
        prompt = ordering_prompt(
            store=services.store_name,
            language=state.language,
            customer=state.customer,
            currency=services.currency,
            cart=step.cart,
            pending_question=state.pending_question,
        )
        try:
            response = await call_model(
                model,
                [SystemMessage(prompt), *recent_window(step.transcript)],
                attempts=services.model_attempts,
            )
        except Exception:
            # The turn still ends with a consistent transcript: every tool call is
            # answered, and the customer gets a polite reply in their language.
            log.exception(
                "chat model failed", extra={"conversation_id": runtime.context.conversation_id}
            )
            response = AIMessage(say("model_unavailable", state.language))
        if response.tool_calls and step.rounds == MAX_TOOL_ROUNDS:
            response = AIMessage(say("model_unavailable", state.language))  # still asking
        step.said(response)
        if not response.tool_calls:
            break
        step.apply(await TOOL_NODE.ainvoke(step.tool_input(response), get_config()))
        if step.changes.get("stage") == "handoff":
            return Command(update=step.update(), goto="handoff")  # a tool asked for a person
    update = step.update()
    if state.pending_question:
        update["pending_question"] = None  # answered
    return Command(update=update, goto="__end__")


@dataclass
class _Step:
    """What this step has said and changed so far, over the state it started from."""

    state: ConversationState
    messages: list[AnyMessage] = field(default_factory=list)
    cart_changes: list[CartLine] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    rounds: int = 0

    @property
    def transcript(self) -> list[AnyMessage]:
        return [*self.state.messages, *self.messages]

    @property
    def cart(self) -> list[CartLine]:
        return merge_cart(self.state.cart, self.cart_changes)

    def said(self, message: AIMessage) -> None:
        self.messages.append(message)

    def tool_input(self, request: AIMessage) -> dict[str, Any]:
        """The state the tools see: the cart as this step has left it."""
        return {"messages": [request], "cart": self.cart, "customer": self.state.customer}

    def apply(self, output: Any) -> None:
        """Fold ToolNode's output (its messages, or a list of them and `Command`s) in, with
        the state's reducers: messages and cart lines add up, other fields are replaced."""
        self.rounds += 1
        for each in output if isinstance(output, list) else [output]:
            update = each.update if isinstance(each, Command) else each
            for key, value in _pairs(update):
                if key == "messages":
                    self.messages.extend(value)
                elif key == "cart":
                    self.cart_changes.extend(value)
                else:
                    self.changes[key] = value

    def update(self) -> dict[str, object]:
        update: dict[str, object] = {
            **self.changes,
            "messages": self.messages,
            "order_started": True,
        }
        if self.cart_changes:
            update["cart"] = self.cart_changes
        return update


def _pairs(update: Any) -> Sequence[tuple[str, Any]]:
    if update is None:
        return ()
    if isinstance(update, dict):
        return list(update.items())
    return list(update)  # a Command's update as (key, value) pairs


_bound: dict[int, tuple[BaseChatModel, Runnable[LanguageModelInput, AIMessage]]] = {}


def _with_tools(model: BaseChatModel) -> Runnable[LanguageModelInput, AIMessage]:
    """The model with the tools bound, built once per model: binding converts every tool's
    schema, which is too slow to repeat on each call."""
    cached = _bound.get(id(model))
    if cached is None or cached[0] is not model:
        cached = (model, model.bind_tools(TOOLS))
        _bound[id(model)] = cached
    return cached[1]
