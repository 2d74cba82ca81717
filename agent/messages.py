"""Small helpers over the transcript."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage

Message = TypeVar("Message", bound=BaseMessage)


def last_human_text(messages: Sequence[AnyMessage]) -> str:
    """The text of the customer's latest message ('' when there is none)."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text
    return ""


def reply_of_turn(messages: Sequence[BaseMessage]) -> str:
    """Everything the assistant said since the customer's latest message, as one reply."""
    parts: list[str] = []
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and message.text.strip():
            parts.append(message.text.strip())
    return "\n\n".join(reversed(parts))


def turn_messages(messages: Sequence[Message]) -> list[Message]:
    """The messages of the latest turn: the customer's last message and what followed."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return list(messages[index:])
    return []


def recent_window(messages: Sequence[AnyMessage], turns: int = 12) -> list[AnyMessage]:
    """The last `turns` customer turns, cut at a customer message so tool calls stay paired."""
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    start = humans[-turns] if len(humans) >= turns else 0
    return list(messages[start:])


def transcript(messages: Sequence[AnyMessage]) -> list[tuple[str, str]]:
    """What was said, as (who, text): "customer", "bot", or "agent" (a person, whose
    messages carry the name "agent"); tool traffic left out."""
    said: list[tuple[str, str]] = []
    for message in messages:
        if isinstance(message, HumanMessage) and message.text.strip():
            spoken = message.additional_kwargs.get("spoken")
            said.append(("customer", f"🎤 {message.text}" if spoken else message.text))
        elif isinstance(message, AIMessage) and message.text.strip():
            said.append(("agent" if message.name == "agent" else "bot", message.text))
    return said
