"""Per-run context: who is writing, on which channel, and the services a turn may use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from storage.interfaces import CatalogStore, ConversationStore, CustomerStore, OrderStore


@dataclass(frozen=True, kw_only=True)
class Services:
    """Process-wide collaborators, built once at the composition root."""

    customers: CustomerStore
    catalog: CatalogStore
    conversations: ConversationStore
    orders: OrderStore
    model: BaseChatModel
    store_name: str = "Store Assistant"
    currency: str = "USD"
    phone_region: str = "VE"
    handoff_pause_minutes: int = 30
    model_attempts: int = 4


@dataclass(kw_only=True)
class Context:
    """What the channel tells the graph about this turn."""

    channel: str = field(default="studio", metadata={"description": "rest, whatsapp, web…"})
    customer_phone: str | None = field(
        default=None,
        metadata={"description": "E.164 phone supplied by the channel; None makes the bot ask."},
    )
    conversation_id: str = field(
        default="studio", metadata={"description": "The thread id of this conversation."}
    )
    message_id: str | None = field(
        default=None,
        metadata={"description": "The channel's id of the message being answered, if any."},
    )
    services: Any = field(
        default=None,
        metadata={"description": "Services instance; LangGraph Studio uses the default."},
    )


_default_services: Callable[[], Awaitable[Services]] | None = None


def set_default_services(factory: Callable[[], Awaitable[Services]]) -> None:
    """Register where runs without explicit services (LangGraph Studio) get theirs."""
    global _default_services
    _default_services = factory


async def services_of(context: Context) -> Services:
    if isinstance(context.services, Services):
        return context.services
    if _default_services is None:
        raise RuntimeError("no services in the run context and no default registered")
    return await _default_services()
