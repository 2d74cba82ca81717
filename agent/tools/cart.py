"""Cart tools: the cart lives in the conversation state (visible in Studio and the API).

Every change checks live availability (stock − units reserved by open orders) and never
puts more in the cart than the store can sell.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import tool
from langgraph.types import Command

from agent.state import CartLine, merge_cart, removal
from agent.tools.arguments import CallId, Cart, Customer, run_services
from agent.tools.catalog import quantity_text
from storage.models import Product

WHOLE_UNITS = frozenset({"unit", "pack", "dozen"})
MAX_QUANTITY = Decimal(10_000)


def tool_reply(call_id: str, payload: dict[str, Any], *changes: CartLine) -> Command[None]:
    """The tool's answer, and its cart changes (parallel calls each send their own)."""
    update: dict[str, Any] = {
        "messages": [ToolMessage(json.dumps(payload, ensure_ascii=False), tool_call_id=call_id)],
    }
    if changes:
        update["cart"] = list(changes)
    return Command(update=update)


def quantity_in(cart: list[CartLine], item_code: str) -> Decimal:
    """How much of a product the cart holds (0 when none)."""
    return next(
        (Decimal(line["quantity"]) for line in cart if line["item_code"] == item_code),
        Decimal(0),
    )


def parse_quantity(value: float | str, unit: str) -> Decimal | str:
    """A positive quantity in the product's unit, or why not (kg may be fractional)."""
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        return "quantity must be a number"
    if not quantity.is_finite() or quantity <= 0:
        return "quantity must be greater than zero"
    if quantity > MAX_QUANTITY:
        return f"quantity must be at most {MAX_QUANTITY}"
    if unit in WHOLE_UNITS and quantity != quantity.to_integral_value():
        return f"this product is sold by the {unit}: the quantity must be a whole number"
    return quantity.quantize(Decimal("0.001")).normalize()


def cart_view(cart: list[CartLine], currency: str) -> dict[str, Any]:
    lines = []
    total = Decimal(0)
    for line in cart:
        amount = Decimal(line["quantity"]) * Decimal(line["unit_price"])
        total += amount
        lines.append({**line, "line_total": f"{amount:.2f}"})
    return {"lines": lines, "total": f"{total:.2f}", "currency": currency}


async def _sellable(item_code: str) -> Product | None:
    product = await (await run_services()).catalog.get(item_code.strip().upper())
    return product if product is not None and product.active else None


def cart_line(product: Product, quantity: Decimal) -> CartLine:
    return CartLine(
        item_code=product.item_code,
        name=product.name,
        quantity=quantity_text(quantity),
        unit=product.unit,
        unit_price=f"{product.price:.2f}",
    )


async def _put(
    cart: list[CartLine],
    call_id: str,
    item_code: str,
    quantity: float | str,
    *,
    add: bool,
) -> Command[None]:
    product = await _sellable(item_code)
    if product is None:
        return tool_reply(call_id, {"error": "not_found", "item_code": item_code})
    parsed = parse_quantity(quantity, product.unit)
    if isinstance(parsed, str):
        return tool_reply(
            call_id,
            {
                "error": "bad_quantity",
                "reason": parsed,
                "item_code": product.item_code,
                "name": product.name,
            },
        )
    current = quantity_in(cart, product.item_code)
    wanted = current + parsed if add else parsed
    if wanted > product.available:
        return tool_reply(
            call_id,
            {
                "error": "short",
                "item_code": product.item_code,
                "name": product.name,
                "unit": product.unit,
                "requested": quantity_text(wanted),
                "available": quantity_text(product.available),
                "in_cart": quantity_text(current),
            },
        )
    line = cart_line(product, wanted)
    services = await run_services()
    payload = {
        "ok": True,
        "item_code": product.item_code,
        "name": product.name,
        "quantity": quantity_text(wanted),
        "added": quantity_text(wanted - current),
        "unit": product.unit,
        "unit_price": f"{product.price:.2f}",
        "cart": cart_view(merge_cart(cart, [line]), services.currency),
    }
    return tool_reply(call_id, payload, line)


@tool
async def add_to_cart(
    item_code: str, quantity: float, cart: Cart, call_id: CallId
) -> Command[None]:
    """Add a quantity of a product (in its unit: kg may be fractional, units and packs may
    not) to the cart. Refuses, saying how many are available, when stock is short."""
    return await _put(cart, call_id, item_code, quantity, add=True)


@tool
async def update_cart_item(
    item_code: str, quantity: float, cart: Cart, call_id: CallId
) -> Command[None]:
    """Set the quantity of a product already in the cart ("make it 2")."""
    if not any(line["item_code"] == item_code.strip().upper() for line in cart):
        return tool_reply(call_id, {"error": "not_in_cart", "item_code": item_code})
    return await _put(cart, call_id, item_code, quantity, add=False)


@tool
async def remove_from_cart(item_code: str, cart: Cart, call_id: CallId) -> Command[None]:
    """Remove a product from the cart."""
    code = item_code.strip().upper()
    removed = next((line for line in cart if line["item_code"] == code), None)
    if removed is None:
        return tool_reply(call_id, {"error": "not_in_cart", "item_code": code})
    services = await run_services()
    change = removal(removed)
    payload = {
        "ok": True,
        "removed": removed["name"],
        "item_code": code,
        "cart": cart_view(merge_cart(cart, [change]), services.currency),
    }
    return tool_reply(call_id, payload, change)


@tool
async def view_cart(cart: Cart) -> str:
    """The cart: lines with unit prices and line totals, and the total."""
    services = await run_services()
    return json.dumps(cart_view(cart, services.currency), ensure_ascii=False)


@tool
async def checkout(cart: Cart, customer: Customer, call_id: CallId) -> Command[None]:
    """Start checkout: read the cart, total and delivery address back to the customer,
    who must then answer yes to place the order (or no to keep shopping)."""
    services = await run_services()
    if not cart:
        return tool_reply(call_id, {"error": "empty_cart"})
    view = cart_view(cart, services.currency)
    payload = {
        "checkout": True,
        **view,
        "delivery_address": customer["address"] if customer else "",
    }
    return Command(
        update={
            "checkout_pending": True,
            "messages": [
                ToolMessage(json.dumps(payload, ensure_ascii=False), tool_call_id=call_id)
            ],
        }
    )
