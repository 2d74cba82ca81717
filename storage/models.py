"""Plain records that cross the storage boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from storage.text import fold


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    phone: str
    name: str
    address: str


@dataclass(frozen=True, slots=True)
class StockLine:
    warehouse: str
    branch: str
    city: str
    quantity: Decimal
    reserved: Decimal = Decimal(0)

    @property
    def available(self) -> Decimal:
        return max(self.quantity - self.reserved, Decimal(0))

    def kept_in(self, place: str) -> bool:
        """This stock is in that city or branch ("valencia", "Los Palos Grandes")."""
        return fold(place) in fold(f"{self.city} {self.branch}")


@dataclass(frozen=True, slots=True)
class Product:
    item_code: str
    name: str
    description: str
    brand: str
    category: str
    unit: str
    price: Decimal
    currency: str
    active: bool
    stock: tuple[StockLine, ...] = field(default_factory=tuple)

    @property
    def available(self) -> Decimal:
        return sum((line.available for line in self.stock), Decimal(0))


@dataclass(frozen=True, slots=True)
class Pause:
    conversation_id: str
    paused_until: datetime
    reason: str
    paused_by: str


@dataclass(frozen=True, slots=True)
class Listing:
    """What the operator console lists of a conversation, kept in its row."""

    customer_id: int | None
    stage: str
    handoff_requested: bool
    cart_total: Decimal


@dataclass(frozen=True, slots=True)
class TurnStart:
    """What a conversation's new turn must know: a person may be handling it, or it may
    have been closed for inactivity (and so starts afresh)."""

    pause: Pause | None
    reopened: bool = False
    listing: Listing | None = None
    """The row's listing before this turn: a turn that changes none of it need not write it."""


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """One validated catalog product as the store sends it, ready to be written."""

    item_code: str
    name: str
    price: Decimal
    description: str = ""
    specifications: str = ""
    brand: str = ""
    category: str = ""
    unit: str = "unit"
    currency: str = "USD"
    stock: tuple[StockLine, ...] = ()


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A conversation as the operator console lists it."""

    id: str
    channel: str
    stage: str
    last_activity_at: datetime
    closed: bool
    phone: str | None
    name: str | None
    paused_until: datetime | None
    reply_address: str | None = None
    """Where the channel sends answers (a Support Board conversation, a WhatsApp number)."""
    handoff_requested: bool = False
    cart_total: Decimal = Decimal(0)
