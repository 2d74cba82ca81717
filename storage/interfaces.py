"""What the agent and ingestion need from storage, so tests can supply their own."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal, Protocol

from storage.models import Customer, Pause, Product, TurnStart
from storage.orders import Order, OrderStatus, Requested, Shortage


class CustomerStore(Protocol):
    async def get_by_phone(self, phone: str) -> Customer | None: ...

    async def save(self, phone: str, name: str, address: str) -> Customer: ...


class CatalogStore(Protocol):
    async def get(self, item_code: str) -> Product | None: ...

    async def search(
        self,
        query: str,
        *,
        in_stock_only: bool = True,
        category: str | None = None,
        brand: str | None = None,
        max_price: Decimal | None = None,
        place: str | None = None,
        limit: int = 5,
    ) -> list[Product]: ...

    async def missing_words(
        self, query: str, products: Sequence[Product]
    ) -> dict[str, list[str]]: ...

    async def places(self) -> list[str]: ...


class OrderStore(Protocol):
    async def place(
        self,
        *,
        customer_id: int,
        conversation_id: str,
        channel: str,
        delivery_address: str,
        requested: Sequence[Requested],
        source_message: str | None = None,
    ) -> Order | Shortage: ...

    async def for_customer(self, customer_id: int, number: str | None = None) -> Order | None: ...

    async def latest_open(self, customer_id: int) -> Order | None: ...

    async def change_status(
        self,
        number: str,
        status: Literal["fulfilled", "cancelled"],
        *,
        customer_id: int | None = None,
    ) -> Order | Literal["not_found"] | OrderStatus: ...


class ConversationStore(Protocol):
    async def record_activity(
        self,
        conversation_id: str,
        channel: str,
        customer_id: int | None = None,
        stage: str | None = None,
        *,
        handoff_requested: bool | None = None,
        cart_total: Decimal | None = None,
    ) -> None: ...

    async def start_turn(self, conversation_id: str, channel: str) -> TurnStart: ...

    async def exists(self, conversation_id: str) -> bool: ...

    async def active_pause(self, conversation_id: str) -> Pause | None: ...

    async def pause(
        self, conversation_id: str, *, minutes: int, reason: str, paused_by: str
    ) -> Pause: ...

    async def resume(self, conversation_id: str) -> bool: ...
