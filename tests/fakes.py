"""In-memory stand-ins for the storage interfaces, for graph unit tests without a database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable

from storage.models import Customer, Pause, Product, ProductRecord, TurnStart
from storage.orders import Order, OrderLine, OrderStatus, Requested, Shortage
from storage.text import fold, missing_terms, naming_terms, query_terms


class MemoryCustomers:
    def __init__(self) -> None:
        self.by_phone: dict[str, Customer] = {}

    async def get_by_phone(self, phone: str) -> Customer | None:
        return self.by_phone.get(phone)

    async def save(self, phone: str, name: str, address: str) -> Customer:
        customer = Customer(len(self.by_phone) + 1, phone, name, address)
        self.by_phone[phone] = customer
        return customer


class MemoryCatalog:
    def __init__(self, records: Sequence[ProductRecord] = ()) -> None:
        self.products: dict[str, Product] = {}
        for r in records:
            self.products[r.item_code] = Product(
                r.item_code,
                r.name,
                r.description,
                r.brand,
                r.category,
                r.unit,
                r.price,
                r.currency,
                True,
                r.stock,
            )

    async def get(self, item_code: str) -> Product | None:
        return self.products.get(item_code)

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
    ) -> list[Product]:
        terms = query_terms(query)

        def matched(product: Product) -> int:
            text = fold(f"{product.name} {product.brand} {product.category} {product.description}")
            return sum(term in text for term in terms)

        found = [
            p
            for p in self.products.values()
            if matched(p)
            and (not in_stock_only or p.available > 0)
            and (max_price is None or p.price <= max_price)
            and (place is None or any(s.kept_in(place) and s.available > 0 for s in p.stock))
        ]
        # the more of the words a product has, the higher it ranks (a stable sort)
        return sorted(found, key=matched, reverse=True)[:limit]

    async def places(self) -> list[str]:
        lines = [line for p in self.products.values() for line in p.stock]
        return sorted({name for line in lines for name in (line.city, line.branch) if name})

    async def missing_words(self, query: str, products: Sequence[Product]) -> dict[str, list[str]]:
        """The words alone (no embeddings here)."""
        terms = naming_terms(query)
        missing = {
            p.item_code: missing_terms(terms, f"{p.name} {p.brand} {p.category} {p.description}")
            for p in products
        }
        return {code: words for code, words in missing.items() if words}


class MemoryOrders:
    """Orders without stock: enough for graph tests that never reach a database."""

    def __init__(self) -> None:
        self.placed: list[Order] = []

    async def place(
        self,
        *,
        customer_id: int,
        conversation_id: str,
        channel: str,
        delivery_address: str,
        requested: Sequence[Requested],
        source_message: str | None = None,
    ) -> Order | Shortage:
        lines = tuple(
            OrderLine(r.item_code, r.item_code, r.quantity, "unit", Decimal(1)) for r in requested
        )
        order = Order(
            f"T{len(self.placed) + 1:05d}",
            "confirmed",
            lines,
            sum((line.quantity for line in lines), Decimal(0)),
            "USD",
            delivery_address,
            channel,
            "+10000000000",
            datetime.now(UTC),
        )
        self.placed.append(order)
        return order

    async def for_customer(self, customer_id: int, number: str | None = None) -> Order | None:
        return next((o for o in reversed(self.placed) if number in (None, o.number)), None)

    async def latest_open(self, customer_id: int) -> Order | None:
        return next((o for o in reversed(self.placed) if o.status == "confirmed"), None)

    async def change_status(
        self,
        number: str,
        status: Literal["fulfilled", "cancelled"],
        *,
        customer_id: int | None = None,
    ) -> Order | Literal["not_found"] | OrderStatus:
        return "not_found"


class MemoryConversations:
    def __init__(self) -> None:
        self.pauses: dict[str, Pause] = {}
        self.activity: dict[str, str | None] = {}
        self.closed: set[str] = set()

    async def record_activity(
        self,
        conversation_id: str,
        channel: str,
        customer_id: int | None = None,
        stage: str | None = None,
    ) -> None:
        self.activity[conversation_id] = stage

    async def start_turn(self, conversation_id: str, channel: str) -> TurnStart:
        self.activity.setdefault(conversation_id, None)
        reopened = conversation_id in self.closed
        self.closed.discard(conversation_id)
        return TurnStart(await self.active_pause(conversation_id), reopened=reopened)

    async def exists(self, conversation_id: str) -> bool:
        return conversation_id in self.activity

    async def active_pause(self, conversation_id: str) -> Pause | None:
        pause = self.pauses.get(conversation_id)
        return pause if pause and pause.paused_until > datetime.now(UTC) else None

    async def pause(
        self, conversation_id: str, *, minutes: int, reason: str, paused_by: str
    ) -> Pause:
        until = datetime.now(UTC) + timedelta(minutes=minutes)
        self.pauses[conversation_id] = Pause(conversation_id, until, reason, paused_by)
        return self.pauses[conversation_id]

    async def resume(self, conversation_id: str) -> bool:
        return self.pauses.pop(conversation_id, None) is not None


class ScriptedModel(GenericFakeChatModel):
    """Answers with the given messages in order; tools are accepted and ignored."""

    def bind_tools(
        self, tools: Sequence[Any], **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self


def scripted(*messages: AIMessage) -> ScriptedModel:
    iterator: Iterator[BaseMessage] = iter(messages)
    return ScriptedModel(messages=iterator)


class FailingModel(ScriptedModel):
    """A model whose provider is down: every call times out."""

    calls: int = 0

    async def ainvoke(self, *args: Any, **kwargs: Any) -> AIMessage:  # type: ignore[override]
        self.calls += 1
        raise TimeoutError("provider timed out")
