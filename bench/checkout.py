"""Checkouts per second through the REST API, with customers racing for a small hot set.

    python bench/checkout.py [--customers 50] [--rounds 3] [--stock 40]

The service runs as a real process with the offline model. Every customer fills a cart
with 1–3 units of one of five hot products and checks out; then all confirm at the same
moment, round after round, until the hot products run out. Reported: confirmations per
second, p50/p99 latency of the confirming request, orders placed, and the oversell count
read from the database afterwards (units sold beyond stock; must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _service import TOKEN, load_catalog, servers, service

from storage.db import open_pool

HOT = [f"HOT-{n}" for n in range(5)]
NAMES = ["Chili sauce", "Mango juice", "Plantain chips", "Guava paste", "Coconut water"]


def hot_catalog(stock: int) -> list[dict[str, object]]:
    return [
        {
            "item_code": code,
            "name": name,
            "brand": "Bench",
            "category": "Hot",
            "unit": "unit",
            "price": 3.5 + index,
            "stock": [
                {
                    "warehouse": "Main",
                    "branch": "Centro",
                    "city": "Caracas",
                    "quantity": stock // 2,
                },
                {
                    "warehouse": "South",
                    "branch": "Valencia",
                    "city": "Valencia",
                    "quantity": stock - stock // 2,
                },
            ],
        }
        for index, (code, name) in enumerate(zip(HOT, NAMES, strict=True))
    ]


async def oversold(database_url: str, stock: int) -> int:
    pool = await open_pool(database_url)
    try:
        async with pool.connection() as conn:
            rows = await (
                await conn.execute(
                    """
                SELECT i.item_code, coalesce(sum(i.quantity), 0) AS sold
                FROM order_items i JOIN orders o ON o.id = i.order_id
                WHERE o.status <> 'cancelled' GROUP BY i.item_code
                """
                )
            ).fetchall()
            negative = await (
                await conn.execute("SELECT count(*) AS n FROM stock WHERE reserved > quantity")
            ).fetchone()
    finally:
        await pool.close()
    over = sum(max(int(row["sold"]) - stock, 0) for row in rows)
    return over + (int(negative["n"]) if negative else 0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stock", type=int, default=40, help="units of each hot product")
    args = parser.parse_args()
    rng = random.Random(4)

    catalog = Path(tempfile.mkdtemp()) / "hot.json"
    catalog.write_text(json.dumps(hot_catalog(args.stock)))
    latencies: list[float] = []
    placed = refused = 0
    async with servers("bench-checkout-") as found:
        load_catalog(found, catalog)
        async with (
            service(found) as base_url,
            httpx.AsyncClient(
                base_url=base_url,
                timeout=120,
                # Connections idle longer than uvicorn's keep-alive (5 s) are dropped
                # rather than reused just as the server closes them (a ReadError).
                limits=httpx.Limits(max_connections=args.customers + 5, keepalive_expiry=2.0),
            ) as client,
        ):
            phones = [f"+1555040{n:04d}" for n in range(args.customers)]

            async def chat(phone: str, text: str) -> str:
                response = await client.post(
                    "/api/chatbot/process", json={"customer_phone": phone, "user_input": text}
                )
                response.raise_for_status()
                reply: str = response.json()["reply"]
                return reply

            for phone in phones:
                await client.put(
                    f"/api/customers/{phone}",
                    json={"name": "Bench", "address": "1 Main St, Caracas"},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
                await chat(phone, "hello")
            elapsed = 0.0
            for _ in range(args.rounds):
                for phone in phones:
                    name = NAMES[rng.randrange(len(NAMES))].lower()
                    await chat(phone, f"I want {rng.randint(1, 3)} {name}")
                    await chat(phone, "checkout")

                async def confirm(phone: str) -> str:
                    start = time.perf_counter()
                    reply = await chat(phone, "yes")
                    latencies.append((time.perf_counter() - start) * 1000)
                    return reply

                began = time.perf_counter()
                replies = await asyncio.gather(*(confirm(phone) for phone in phones))
                elapsed += time.perf_counter() - began
                placed += sum("is confirmed" in r for r in replies)
                refused += sum("couldn't place the order" in r for r in replies)
                for phone, reply in zip(phones, replies, strict=True):
                    if "couldn't place the order" in reply:
                        await chat(phone, "remove it")
        over = await oversold(found.database_url, args.stock)

    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{args.customers} customers × {args.rounds} rounds on {len(HOT)} hot products "
        f"({args.stock} units each)"
    )
    print(
        f"confirmations/s {len(latencies) / elapsed:.1f}   p50 {cuts[49]:.0f} ms   "
        f"p99 {cuts[98]:.0f} ms"
    )
    print(f"orders placed {placed}, refused for stock {refused}, oversold units {over} (must be 0)")


if __name__ == "__main__":
    asyncio.run(main())
