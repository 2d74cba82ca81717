"""Order tools, scoped to the verified customer: nobody reaches another customer's orders,
whatever they write, because the customer comes from the conversation, never the message."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from langchain_core.tools import tool
from langgraph.types import Command

from agent.context import Context, Services
from agent.state import CartLine, CustomerInfo, merge_cart
from agent.tools.arguments import CallId, Cart, Customer, run_services
from agent.tools.cart import cart_line, cart_view, quantity_in, tool_reply
from agent.tools.catalog import quantity_text
from storage.orders import Order, Requested, Shortage


def order_view(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "items": [
            {
                "item_code": line.item_code,
                "name": line.name,
                "quantity": quantity_text(line.quantity),
                "unit": line.unit,
                "unit_price": f"{line.unit_price:.2f}",
            }
            for line in order.lines
        ],
        "total": f"{order.total:.2f}",
        "currency": order.currency,
        "delivery_address": order.delivery_address,
        "created_at": order.created_at.isoformat(),
    }


async def place_order(
    services: Services, context: Context, customer: CustomerInfo, cart: list[CartLine]
) -> dict[str, Any]:
    """Reserve the whole cart at today's prices, or nothing (saying what is short).

    Called by the confirmation step after an explicit yes, never by the model directly.
    """
    result = await services.orders.place(
        customer_id=customer["id"],
        conversation_id=context.conversation_id,
        channel=context.channel,
        delivery_address=customer["address"],
        requested=[Requested(line["item_code"], Decimal(line["quantity"])) for line in cart],
        source_message=(f"{context.channel}:{context.message_id}" if context.message_id else None),
    )
    if isinstance(result, Shortage):
        return {
            "error": "short",
            "item_code": result.item_code,
            "name": result.name,
            "available": quantity_text(result.available),
        }
    return {"ok": True, "order": order_view(result)}


def _customer_id(customer: CustomerInfo | None) -> int | None:
    return customer["id"] if customer else None


@tool
async def get_order_status(customer: Customer, order_number: str | None = None) -> str:
    """Status of one of this customer's orders by number, or of their latest order."""
    customer_id = _customer_id(customer)
    orders = (await run_services()).orders
    order = await orders.for_customer(customer_id, order_number) if customer_id else None
    if order is None:
        return json.dumps({"error": "not_found", "order_number": order_number})
    return json.dumps(order_view(order), ensure_ascii=False)


@tool
async def cancel_order(customer: Customer, order_number: str | None = None) -> str:
    """Cancel one of this customer's confirmed orders (their latest open one when no number
    is given); the reserved units go back on sale. Fulfilled orders cannot be cancelled."""
    customer_id = _customer_id(customer)
    if customer_id is None:
        return json.dumps({"error": "not_found", "order_number": order_number})
    orders = (await run_services()).orders
    number = order_number
    if number is None:
        latest = await orders.latest_open(customer_id) or await orders.for_customer(customer_id)
        if latest is None:
            return json.dumps({"error": "not_found", "order_number": None})
        number = latest.number
    result = await orders.change_status(number, "cancelled", customer_id=customer_id)
    if result == "not_found":
        return json.dumps({"error": "not_found", "order_number": order_number})
    if isinstance(result, str):
        return json.dumps({"error": "not_cancellable", "order_number": number, "status": result})
    return json.dumps({"ok": True, "order": order_view(result)}, ensure_ascii=False)


@tool
async def repeat_order(
    cart: Cart, customer: Customer, call_id: CallId, order_number: str | None = None
) -> Command[None]:
    """Put the products of one of this customer's past orders (their latest when no number
    is given) in the cart again, at today's prices and as far as today's stock allows.
    Answers what was added, what is short (and how much of it was added) and what is no
    longer sold; nothing is ordered until the customer checks out."""
    customer_id = _customer_id(customer)
    services = await run_services()
    order = await services.orders.for_customer(customer_id, order_number) if customer_id else None
    if order is None:
        return tool_reply(call_id, {"error": "not_found", "order_number": order_number})
    changes: list[CartLine] = []
    added: list[dict[str, Any]] = []
    short: list[dict[str, Any]] = []
    gone: list[dict[str, Any]] = []
    current = list(cart)
    for line in order.lines:
        product = await services.catalog.get(line.item_code)
        if product is None or not product.active:
            gone.append({"item_code": line.item_code, "name": line.name})
            continue
        held = quantity_in(current, product.item_code)
        room = max(product.available - held, Decimal(0))
        quantity = min(line.quantity, room)
        if quantity < line.quantity:
            short.append(
                {
                    "item_code": product.item_code,
                    "name": product.name,
                    "unit": product.unit,
                    "requested": quantity_text(line.quantity),
                    "available": quantity_text(room),
                }
            )
        if quantity <= 0:
            continue
        change = cart_line(product, held + quantity)
        changes.append(change)
        current = merge_cart(current, [change])
        added.append({**change, "added": quantity_text(quantity)})
    payload = {
        "ok": bool(changes),
        "order_number": order.number,
        "added": added,
        "short": short,
        "no_longer_sold": gone,
        "cart": cart_view(current, services.currency),
    }
    return tool_reply(call_id, payload, *changes)
