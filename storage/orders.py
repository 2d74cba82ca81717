"""Orders, stock reservations and the export outbox.

Placing an order is one transaction that locks the stock rows it draws from (in a fixed
order, so concurrent checkouts queue instead of deadlocking), reserves every line or none,
fixes the prices, and writes the outbox event: no oversell across any number of processes,
and no order without its export.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from psycopg import AsyncConnection, errors
from psycopg.rows import DictRow

from storage.db import Pool
from storage.text import fold

OrderStatus = Literal["confirmed", "fulfilled", "cancelled"]
_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_OUTBOX_LOCK = 727_274_002


@dataclass(frozen=True, slots=True)
class OrderLine:
    item_code: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Order:
    number: str
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    total: Decimal
    currency: str
    delivery_address: str
    channel: str
    customer_phone: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Shortage:
    """A line that cannot be served: nothing was reserved."""

    item_code: str
    name: str
    available: Decimal


@dataclass(frozen=True, slots=True)
class Requested:
    item_code: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    id: int
    event: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    order_number: str
    event: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass
class _Allocation:
    takes: list[tuple[str, Decimal]] = field(default_factory=list)


def _new_number() -> str:
    return "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))


def _allocate(
    rows: list[dict[str, Any]], quantity: Decimal, place: str
) -> tuple[_Allocation | None, Decimal]:
    """Warehouses to take `quantity` from: one that has it all if possible (the customer's
    city or branch first), else the fullest first. None (and what there is) when short."""
    wanted = fold(place)

    def local(row: dict[str, Any]) -> bool:
        return any(fold(row[key]) and fold(row[key]) in wanted for key in ("city", "branch"))

    stocked = [r for r in rows if r["quantity"] - r["reserved"] > 0]
    total = sum((r["quantity"] - r["reserved"] for r in stocked), Decimal(0))
    if total < quantity:
        return None, max(total, Decimal(0))
    stocked.sort(key=lambda r: (not local(r), -(r["quantity"] - r["reserved"])))
    whole = [r for r in stocked if r["quantity"] - r["reserved"] >= quantity]
    if whole:
        return _Allocation([(whole[0]["warehouse"], quantity)]), total
    allocation, missing = _Allocation(), quantity
    for row in stocked:
        take = min(missing, row["quantity"] - row["reserved"])
        allocation.takes.append((row["warehouse"], take))
        missing -= take
        if missing <= 0:
            break
    return allocation, total


async def _refresh_available(conn: AsyncConnection[DictRow], codes: Sequence[str]) -> None:
    await conn.execute(
        """
        UPDATE products p SET available = coalesce((
            SELECT sum(greatest(s.quantity - s.reserved, 0)) FROM stock s
            WHERE s.item_code = p.item_code), 0)
        WHERE p.item_code = ANY(%(codes)s)
        """,
        {"codes": list(codes)},
    )


class OrderRepository:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

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
        """Reserve every line or none and record the order with today's prices.

        `source_message` identifies the customer message that confirmed it: placing again
        for the same message (a retried turn) returns the order already placed."""
        codes = sorted({r.item_code for r in requested})
        async with self._pool.connection() as conn, conn.transaction():
            if source_message is not None:
                placed = await self._load(
                    conn, "o.source_message = %(source)s", {"source": source_message}
                )
                if placed is not None:
                    return placed
            stock_rows = await (
                await conn.execute(
                    """
                SELECT item_code, warehouse, branch, city, quantity, reserved FROM stock
                WHERE item_code = ANY(%(codes)s) ORDER BY item_code, warehouse FOR UPDATE
                """,
                    {"codes": codes},
                )
            ).fetchall()
            products = {
                row["item_code"]: row
                for row in await (
                    await conn.execute(
                        """
                SELECT item_code, name, unit, price, currency, active FROM products
                WHERE item_code = ANY(%(codes)s)
                """,
                        {"codes": codes},
                    )
                ).fetchall()
            }
            plan: list[tuple[Requested, _Allocation]] = []
            for line in requested:
                product = products.get(line.item_code)
                rows = [r for r in stock_rows if r["item_code"] == line.item_code]
                if product is None or not product["active"]:
                    return Shortage(
                        line.item_code, product["name"] if product else line.item_code, Decimal(0)
                    )
                allocation, available = _allocate(rows, line.quantity, delivery_address)
                if allocation is None:
                    return Shortage(line.item_code, product["name"], available)
                plan.append((line, allocation))

            currency = next(iter(products.values()))["currency"]
            total = sum(
                (products[line.item_code]["price"] * line.quantity for line, _ in plan),
                Decimal(0),
            ).quantize(Decimal("0.01"))
            order_id = await self._insert_order(
                conn,
                customer_id,
                conversation_id,
                channel,
                total,
                currency,
                delivery_address,
                source_message,
            )
            for index, (line, allocation) in enumerate(plan, 1):
                product = products[line.item_code]
                await conn.execute(
                    """
                    INSERT INTO order_items (order_id, line, item_code, name, quantity, unit,
                                             unit_price)
                    VALUES (%(order)s, %(line)s, %(code)s, %(name)s, %(quantity)s, %(unit)s,
                            %(price)s)
                    """,
                    {
                        "order": order_id,
                        "line": index,
                        "code": line.item_code,
                        "name": product["name"],
                        "quantity": line.quantity,
                        "unit": product["unit"],
                        "price": product["price"],
                    },
                )
                for warehouse, quantity in allocation.takes:
                    await conn.execute(
                        """
                        INSERT INTO reservations (order_id, item_code, warehouse, quantity)
                        VALUES (%(order)s, %(code)s, %(warehouse)s, %(quantity)s)
                        ON CONFLICT (order_id, item_code, warehouse)
                        DO UPDATE SET quantity = reservations.quantity + EXCLUDED.quantity
                        """,
                        {
                            "order": order_id,
                            "code": line.item_code,
                            "warehouse": warehouse,
                            "quantity": quantity,
                        },
                    )
                    await conn.execute(
                        """
                        UPDATE stock SET reserved = reserved + %(quantity)s
                        WHERE item_code = %(code)s AND warehouse = %(warehouse)s
                        """,
                        {"code": line.item_code, "warehouse": warehouse, "quantity": quantity},
                    )
            await _refresh_available(conn, codes)
            order = await self._load(conn, "o.id = %(id)s", {"id": order_id})
            assert order is not None
            await self._enqueue(conn, order_id, "order.confirmed", order)
        return order

    async def _insert_order(
        self,
        conn: AsyncConnection[DictRow],
        customer_id: int,
        conversation_id: str,
        channel: str,
        total: Decimal,
        currency: str,
        address: str,
        source_message: str | None,
    ) -> int:
        for _ in range(10):
            number = _new_number()
            try:
                async with conn.transaction():  # a savepoint: a taken number is retried
                    row = await (
                        await conn.execute(
                            """
                        INSERT INTO orders (number, customer_id, conversation_id, channel,
                                            status, total, currency, delivery_address,
                                            source_message)
                        VALUES (%(number)s, %(customer)s, %(conversation)s, %(channel)s,
                                'confirmed', %(total)s, %(currency)s, %(address)s,
                                %(source)s)
                        RETURNING id
                        """,
                            {
                                "number": number,
                                "customer": customer_id,
                                "conversation": conversation_id,
                                "channel": channel,
                                "total": total,
                                "currency": currency,
                                "address": address,
                                "source": source_message,
                            },
                        )
                    ).fetchone()
            except errors.UniqueViolation as error:
                if error.diag.constraint_name != "orders_number_key":
                    raise  # not a taken number (the same message confirming twice)
                continue
            assert row is not None
            return int(row["id"])
        raise RuntimeError("could not draw a free order number")

    async def _load(
        self, conn: AsyncConnection[DictRow], where: str, params: dict[str, Any]
    ) -> Order | None:
        rows = await self._load_many(conn, where, params, limit=1, newest_first=True)
        return rows[0] if rows else None

    async def _load_many(
        self,
        conn: AsyncConnection[DictRow],
        where: str,
        params: dict[str, Any],
        *,
        limit: int = 100,
        newest_first: bool = False,
    ) -> list[Order]:
        direction = "DESC" if newest_first else "ASC"
        rows = await (
            await conn.execute(
                f"""
            SELECT o.id, o.number, o.status, o.total, o.currency, o.delivery_address,
                   o.channel, o.created_at, c.phone,
                   (SELECT json_agg(json_build_object(
                        'item_code', i.item_code, 'name', i.name, 'quantity', i.quantity,
                        'unit', i.unit, 'unit_price', i.unit_price) ORDER BY i.line)
                    FROM order_items i WHERE i.order_id = o.id) AS lines
            FROM orders o JOIN customers c ON c.id = o.customer_id
            WHERE {where}
            ORDER BY o.created_at {direction}, o.id {direction}
            LIMIT %(limit)s
            """,  # noqa: S608 - `where` is a constant chosen by this module
                {**params, "limit": limit},
            )
        ).fetchall()
        return [
            Order(
                number=row["number"],
                status=row["status"],
                lines=tuple(
                    OrderLine(
                        line["item_code"],
                        line["name"],
                        Decimal(str(line["quantity"])),
                        line["unit"],
                        Decimal(str(line["unit_price"])),
                    )
                    for line in row["lines"] or []
                ),
                total=row["total"],
                currency=row["currency"],
                delivery_address=row["delivery_address"],
                channel=row["channel"],
                customer_phone=row["phone"],
                created_at=row["created_at"],
            )
            for row in rows
        ]

    async def for_customer(self, customer_id: int, number: str | None = None) -> Order | None:
        """The customer's order by number, or their latest; never anyone else's."""
        async with self._pool.connection() as conn:
            if number is None:
                return await self._load(conn, "o.customer_id = %(c)s", {"c": customer_id})
            return await self._load(
                conn,
                "o.customer_id = %(c)s AND o.number = %(n)s",
                {"c": customer_id, "n": number.strip().upper()},
            )

    async def latest_open(self, customer_id: int) -> Order | None:
        async with self._pool.connection() as conn:
            return await self._load(
                conn, "o.customer_id = %(c)s AND o.status = 'confirmed'", {"c": customer_id}
            )

    async def list_for_phone(self, phone: str) -> list[Order]:
        """Oldest first."""
        async with self._pool.connection() as conn:
            return await self._load_many(conn, "c.phone = %(p)s", {"p": phone})

    async def by_number(self, number: str) -> Order | None:
        async with self._pool.connection() as conn:
            return await self._load(conn, "o.number = %(n)s", {"n": number.strip().upper()})

    async def change_status(
        self,
        number: str,
        status: Literal["fulfilled", "cancelled"],
        *,
        customer_id: int | None = None,
    ) -> Order | Literal["not_found"] | OrderStatus:
        """confirmed → cancelled releases the reserved units; confirmed → fulfilled takes
        them out of stock. Any other change is refused with the current status."""
        condition = "o.number = %(n)s" + (" AND o.customer_id = %(c)s" if customer_id else "")
        params = {"n": number.strip().upper(), "c": customer_id}
        async with self._pool.connection() as conn, conn.transaction():
            row = await (
                await conn.execute(
                    f"SELECT o.id, o.status FROM orders o WHERE {condition} FOR UPDATE",  # noqa: S608
                    params,
                )
            ).fetchone()
            if row is None:
                return "not_found"
            if row["status"] != "confirmed":
                current: OrderStatus = row["status"]
                return current
            reserved = await (
                await conn.execute(
                    """
                SELECT r.item_code, r.warehouse, r.quantity FROM reservations r
                WHERE r.order_id = %(id)s ORDER BY r.item_code, r.warehouse
                """,
                    {"id": row["id"]},
                )
            ).fetchall()
            for r in reserved:
                await conn.execute(
                    """
                    UPDATE stock SET reserved = greatest(reserved - %(q)s, 0),
                        quantity = CASE WHEN %(consume)s THEN greatest(quantity - %(q)s, 0)
                                        ELSE quantity END
                    WHERE item_code = %(code)s AND warehouse = %(warehouse)s
                    """,
                    {
                        "q": r["quantity"],
                        "code": r["item_code"],
                        "warehouse": r["warehouse"],
                        "consume": status == "fulfilled",
                    },
                )
            await conn.execute(
                "DELETE FROM reservations WHERE order_id = %(id)s", {"id": row["id"]}
            )
            await conn.execute(
                "UPDATE orders SET status = %(s)s, updated_at = now() WHERE id = %(id)s",
                {"s": status, "id": row["id"]},
            )
            await _refresh_available(conn, sorted({r["item_code"] for r in reserved}))
            order = await self._load(conn, "o.id = %(id)s", {"id": row["id"]})
            assert order is not None
            await self._enqueue(conn, row["id"], f"order.{status}", order)
        return order

    async def _enqueue(
        self, conn: AsyncConnection[DictRow], order_id: int, event: str, order: Order
    ) -> None:
        await conn.execute(
            """
            INSERT INTO outbox (order_id, event, payload, idempotency_key)
            VALUES (%(order)s, %(event)s, %(payload)s, %(key)s)
            """,
            {
                "order": order_id,
                "event": event,
                "payload": json.dumps(order_payload(order)),
                "key": f"{order.number}:{event}",
            },
        )

    # outbox --------------------------------------------------------------------------

    async def deliver_next(
        self,
        send: Callable[[OutboxEvent], Awaitable[str | None]],
        retry_in: Callable[[int], float | None],
    ) -> bool:
        """Deliver the oldest pending event if it is due: `send` returns None on success or
        the error; `retry_in(attempts)` gives the wait before the next try (None: dead
        letter). Events go out in order, by one process at a time (an advisory lock held
        for the attempt); False when there was nothing to do."""
        async with self._pool.connection() as conn, conn.transaction():
            locked = await (
                await conn.execute(
                    "SELECT pg_try_advisory_xact_lock(%(key)s) AS ok", {"key": _OUTBOX_LOCK}
                )
            ).fetchone()
            if locked is None or not locked["ok"]:
                return False
            row = await (
                await conn.execute(
                    """
                SELECT id, event, payload, idempotency_key, attempts,
                       next_attempt_at <= now() AS due
                FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 1
                """
                )
            ).fetchone()
            if row is None or not row["due"]:
                return False
            event = OutboxEvent(
                row["id"], row["event"], row["payload"], row["idempotency_key"], row["attempts"]
            )
            error = await send(event)
            if error is None:
                await conn.execute(
                    """
                    UPDATE outbox SET status = 'delivered', delivered_at = now(),
                        attempts = attempts + 1, last_error = NULL
                    WHERE id = %(id)s
                    """,
                    {"id": event.id},
                )
                return True
            wait = retry_in(event.attempts + 1)
            await conn.execute(
                """
                UPDATE outbox SET attempts = attempts + 1, last_error = %(error)s,
                    status = CASE WHEN %(dead)s THEN 'dead' ELSE 'pending' END,
                    next_attempt_at = now() + %(wait)s
                WHERE id = %(id)s
                """,
                {
                    "id": event.id,
                    "error": error[:1000],
                    "dead": wait is None,
                    "wait": timedelta(seconds=wait or 0),
                },
            )
            return True

    async def outbox(self, status: str | None = None, limit: int = 100) -> list[OutboxEntry]:
        async with self._pool.connection() as conn:
            rows = await (
                await conn.execute(
                    """
                SELECT b.id, o.number, b.event, b.status, b.attempts, b.last_error,
                       b.created_at
                FROM outbox b JOIN orders o ON o.id = b.order_id
                WHERE %(status)s::text IS NULL OR b.status = %(status)s
                ORDER BY b.id DESC LIMIT %(limit)s
                """,
                    {"status": status, "limit": limit},
                )
            ).fetchall()
        return [
            OutboxEntry(
                r["id"],
                r["number"],
                r["event"],
                r["status"],
                r["attempts"],
                r["last_error"],
                r["created_at"],
            )
            for r in rows
        ]


def order_payload(order: Order) -> dict[str, Any]:
    """How an order looks to the store's back office and the operator API."""
    return {
        "number": order.number,
        "status": order.status,
        "items": [
            {
                "item_code": line.item_code,
                "name": line.name,
                "quantity": float(line.quantity),
                "unit": line.unit,
                "unit_price": float(line.unit_price),
            }
            for line in order.lines
        ],
        "total": float(order.total),
        "currency": order.currency,
        "delivery_address": order.delivery_address,
        "channel": order.channel,
        "customer_phone": order.customer_phone,
        "created_at": order.created_at.isoformat(),
    }
