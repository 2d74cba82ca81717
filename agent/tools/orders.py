"""Order tools, scoped to the verified customer: nobody reaches another customer's orders,
whatever they write, because the customer comes from the conversation, never the message."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from langchain_core.tools import tool

from agent.context import Context, Services
from agent.state import CartLine, CustomerInfo
from agent.tools.arguments import Customer, run_services
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
