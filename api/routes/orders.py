"""Operator API: orders, their status changes, and the export outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from api.deps import AddressLimitDep, OperatorDep, RuntimeDep, phone_or_422
from storage.orders import Order, order_payload

router = APIRouter(tags=["operator"], dependencies=[AddressLimitDep, OperatorDep])


class OrderItemOut(BaseModel):
    item_code: str
    name: str
    quantity: float
    unit: str
    unit_price: float


class OrderOut(BaseModel):
    number: str
    status: Literal["confirmed", "fulfilled", "cancelled"]
    items: list[OrderItemOut]
    total: float
    currency: str
    delivery_address: str
    channel: str
    customer_phone: str
    created_at: datetime


class StatusChange(BaseModel):
    status: Literal["fulfilled", "cancelled"]


class OutboxOut(BaseModel):
    id: int
    order_number: str
    event: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    last_error: str | None
    created_at: datetime


def order_out(order: Order) -> OrderOut:
    payload: dict[str, Any] = order_payload(order)
    return OrderOut.model_validate(payload)


@router.get("/api/orders", response_model=list[OrderOut])
async def list_orders(
    runtime: RuntimeDep, customer_phone: Annotated[str, Query(min_length=1, max_length=40)]
) -> list[OrderOut]:
    """The customer's orders, oldest first."""
    phone = phone_or_422(customer_phone, runtime, where=("query", "customer_phone"))
    return [order_out(order) for order in await runtime.orders.list_for_phone(phone)]


@router.get("/api/orders/{number}", response_model=OrderOut)
async def get_order(number: str, runtime: RuntimeDep) -> OrderOut:
    order = await runtime.orders.by_number(number)
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "order not found")
    return order_out(order)


@router.post("/api/orders/{number}/status", response_model=OrderOut)
async def change_order_status(number: str, body: StatusChange, runtime: RuntimeDep) -> OrderOut:
    """confirmed → fulfilled (the reserved units leave the stock) or → cancelled (they go
    back on sale). Anything else is a 409 with the order's current status."""
    result = await runtime.orders.change_status(number, body.status)
    if result == "not_found":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "order not found")
    if isinstance(result, str):
        raise HTTPException(status.HTTP_409_CONFLICT, f"order is already {result}")
    runtime.exporter.notify()
    return order_out(result)


@router.get("/api/outbox", response_model=list[OutboxOut])
async def outbox(
    runtime: RuntimeDep,
    status_filter: Annotated[
        Literal["pending", "delivered", "dead"] | None, Query(alias="status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OutboxOut]:
    """Order events for the back office, newest first; `status=dead` lists the dead letters."""
    entries = await runtime.orders.outbox(status_filter, limit)
    return [OutboxOut.model_validate(entry, from_attributes=True) for entry in entries]
