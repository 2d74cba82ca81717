"""The conversation state that LangGraph checkpoints, one thread per customer and channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Literal

from langchain_core.messages import AnyMessage, RemoveMessage
from langgraph.graph import add_messages
from langgraph.graph.message import REMOVE_ALL_MESSAGES
from typing_extensions import TypedDict

from agent.language import Language

Stage = Literal["greeting", "verification", "ordering", "handoff"]
RegistrationStep = Literal["phone", "name", "address", "confirm", "fix"]


class CustomerInfo(TypedDict):
    """The verified customer, as the conversation knows them."""

    id: int
    phone: str
    name: str
    address: str


class CartLine(TypedDict):
    """One product in the cart, priced when it was added (re-checked at checkout)."""

    item_code: str
    name: str
    quantity: str
    unit: str
    unit_price: str


CLEAR_CART = "*"
"""A cart change with this item code empties the cart."""


def merge_cart(current: list[CartLine], changes: list[CartLine]) -> list[CartLine]:
    """The cart reducer: each change replaces the line of its product (keeping its place),
    a quantity of "0" removes it, and CLEAR_CART empties the cart. Tools running in
    parallel (several items in one message) each send only their own line."""
    cart = list(current)
    for change in changes:
        if change["item_code"] == CLEAR_CART:
            cart = []
            continue
        index = next(
            (i for i, line in enumerate(cart) if line["item_code"] == change["item_code"]), None
        )
        removing = Decimal(change["quantity"]) <= 0
        if index is None:
            if not removing:
                cart.append(change)
        elif removing:
            del cart[index]
        else:
            cart[index] = change
    return cart


def cart_total(cart: Sequence[CartLine]) -> Decimal:
    """What the cart costs at the prices its lines were added with, to the cent."""
    total = sum((Decimal(x["quantity"]) * Decimal(x["unit_price"]) for x in cart), Decimal(0))
    return total.quantize(Decimal("0.01"))


def removal(line: CartLine) -> CartLine:
    return CartLine(**{**line, "quantity": "0"})


def clearing() -> CartLine:
    return CartLine(item_code=CLEAR_CART, name="", quantity="0", unit="", unit_price="0")


class Registration(TypedDict, total=False):
    """What a new customer has told us so far, and which question is open."""

    step: RegistrationStep
    phone: str
    name: str
    address: str
    question: str
    """What the first message asked ("hola, ¿tienen arroz?"), answered once registered."""


@dataclass(kw_only=True)
class ConversationState:
    """Everything the assistant remembers about one conversation."""

    messages: Annotated[Sequence[AnyMessage], add_messages] = field(default_factory=list)
    """The transcript: customer, assistant and tool messages."""

    stage: Stage = "greeting"
    """Where the conversation is: greeting → verification → ordering, or handoff."""

    language: Language = "en"
    """The customer's language, detected from their words; switches when they switch."""

    customer: CustomerInfo | None = None
    """The verified customer; None until verification succeeds."""

    registration: Registration = field(default_factory=lambda: Registration())
    """Answers collected while registering a new customer."""

    cart: Annotated[list[CartLine], merge_cart] = field(default_factory=list)
    """Products the customer intends to buy; quantities and prices as decimal strings."""

    phone_collected: bool = False
    """The customer's phone is known (from the channel or asked for)."""

    customer_verified: bool = False
    """The phone belongs to a registered customer (known, or just registered)."""

    order_started: bool = False
    """The customer has asked about or added products in this conversation."""

    order_complete: bool = False
    """An order was placed in this conversation."""

    checkout_pending: bool = False
    """The cart was read back at checkout; the next "yes" places the order."""

    proposed_address: str | None = None
    """A location the customer shared, waiting for their yes to become the delivery address."""

    last_order_number: str | None = None
    """The order placed most recently in this conversation."""

    handoff_requested: bool = False
    """The customer asked for a person; the bot is silent while the pause lasts."""
    pending_question: str | None = None
    """A question asked before registering, for the ordering stage to answer right after."""


def fresh_visit(message: AnyMessage, *, keep_cart: bool) -> dict[str, object]:
    """The turn input that starts a conversation closed for inactivity afresh: `message`
    opens an empty transcript and gets a new greeting; the customer stays known (with
    their language and last order) and the cart is kept for them or dropped."""
    update: dict[str, object] = {
        "messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), message],
        "stage": "greeting",
        "registration": Registration(),
        "phone_collected": False,
        "customer_verified": False,
        "order_started": False,
        "order_complete": False,
        "checkout_pending": False,
        "proposed_address": None,
        "handoff_requested": False,
        "pending_question": None,
    }
    if not keep_cart:
        update["cart"] = [clearing()]
    return update
