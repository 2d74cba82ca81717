"""Conversation turns per second through the REST API, beside a floor measured in the same run.

    python bench/turns.py [--turns 20] [--concurrency 1 50]

The service runs as a real uvicorn process on 127.0.0.1 with the offline model, on an
embedded PostgreSQL and Redis (or DATABASE_URL / REDIS_URL). Each simulated customer is
known to the store and sends product questions one after the other. The floor is a
minimal two-node LangGraph graph on the same Postgres checkpointer, in-process, with the
same durability ("exit"), so the gap shows what the product itself costs per turn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypedDict

import httpx
from _service import TOKEN, KeepAliveClient, load_catalog, servers, service
from langgraph.graph import END, START, StateGraph

from storage.checkpoints import checkpoint_saver
from storage.db import open_pool

MESSAGES = [
    "hola, ¿tienen arroz?",
    "do you have a blender?",
    "¿cuánto cuesta el café?",
    "show me phones under 200",
    "gracias",
]
SAMPLE_CATALOG = Path(__file__).resolve().parents[1] / "ingestion" / "data" / "sample_catalog.json"


Figures = tuple[float, float, float]
"""Turns per second, p50 and p99 latency in ms."""


async def _measure(
    concurrency: int, turns: int, turn: Callable[[int, int], Awaitable[None]]
) -> Figures:
    """Run `turns` turns for each of `concurrency` customers; return turns/s, p50, p99 (ms)."""
    latencies: list[float] = []

    async def customer(number: int) -> None:
        for index in range(turns):
            start = time.perf_counter()
            await turn(number, index)
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(customer(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - began
    quantiles = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, quantiles[49], quantiles[98]


class FloorState(TypedDict):
    count: int


async def _floor(database_url: str, concurrency: int, turns: int) -> Figures:
    def first(state: FloorState) -> FloorState:
        return {"count": state["count"] + 1}

    def second(state: FloorState) -> FloorState:
        return {"count": state["count"] + 1}

    builder = StateGraph(FloorState)
    builder.add_node("first", first)
    builder.add_node("second", second)
    builder.add_edge(START, "first")
    builder.add_edge("first", "second")
    builder.add_edge("second", END)
    pool = await open_pool(database_url, max_size=10)
    saver = checkpoint_saver(pool)  # the service's own saver
    await saver.setup()
    graph = builder.compile(checkpointer=saver)

    async def turn(customer: int, index: int) -> None:
        config = {"configurable": {"thread_id": f"floor-{customer}"}}
        await graph.ainvoke({"count": index}, config, durability="exit")  # type: ignore[call-overload]

    try:
        return await _measure(concurrency, turns, turn)
    finally:
        await pool.close()


async def _service(base_url: str, concurrency: int, turns: int) -> Figures:
    limits = httpx.Limits(max_connections=concurrency + 5)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        for number in range(concurrency):
            phone = f"+1555020{number:04d}"
            response = await client.put(
                f"/api/customers/{phone}", json={"name": f"Bench {number}"}, headers=headers
            )
            response.raise_for_status()
            await client.post(
                "/api/chatbot/process", json={"customer_phone": phone, "user_input": "hola"}
            )
        # Warm-up: the first search loads the embedding model in the service process.
        await client.post(
            "/api/chatbot/process",
            json={"customer_phone": "+15550200000", "user_input": "¿tienen arroz?"},
        )

    # The measured turns go through lean keep-alive connections (httpx would spend about
    # 3 ms of this machine's CPU per request on the client side), each turn on whichever
    # connection is free: a connection stays with the service process that accepted it,
    # and pinning customers to connections would leave one process idle while another
    # still has its customers' turns to answer.
    idle: asyncio.Queue[KeepAliveClient] = asyncio.Queue()
    for _ in range(concurrency):
        idle.put_nowait(await KeepAliveClient.connect(base_url))

    async def turn(customer: int, index: int) -> None:
        connection = await idle.get()
        try:
            status, body = await connection.post_json(
                "/api/chatbot/process",
                {
                    "customer_phone": f"+1555020{customer:04d}",
                    "user_input": MESSAGES[index % len(MESSAGES)],
                },
            )
        finally:
            idle.put_nowait(connection)
        if status != 200:
            raise SystemExit(f"turn failed with {status}: {body[:200]!r}")

    try:
        return await _measure(concurrency, turns, turn)
    finally:
        while not idle.empty():
            await idle.get_nowait().close()


def _medians(runs: list[Figures]) -> Figures:
    rates, p50s, p99s = zip(*runs, strict=True)
    return statistics.median(rates), statistics.median(p50s), statistics.median(p99s)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=20, help="turns per customer")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 50])
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="service processes (default: one per core, as deployed)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="floor and service measured in turn this many times (this machine's speed drifts)",
    )
    args = parser.parse_args()

    rows = []
    async with servers("bench-turns-") as found:
        load_catalog(found, SAMPLE_CATALOG)
        async with service(found, workers=args.workers) as base_url:
            for concurrency in args.concurrency:
                floors, measured = [], []
                for _ in range(args.rounds):
                    floors.append(await _floor(found.database_url, concurrency, args.turns))
                    measured.append(await _service(base_url, concurrency, args.turns))
                rows.append((concurrency, measured, floors))

    print(
        f"\nturns through POST /api/chatbot/process, offline model, {args.turns} turns/customer,"
        f" {args.workers} service process(es); medians of {args.rounds} alternating rounds"
    )
    print(
        f"{'customers':>9} | {'service turns/s':>15} {'p50 ms':>8} {'p99 ms':>8} | "
        f"{'floor turns/s':>13} {'p50 ms':>8} {'p99 ms':>8} | {'ratio':>5} | ratio by round"
    )
    for concurrency, measured, floors in rows:
        rate, p50, p99 = _medians(measured)
        f_rate, f_p50, f_p99 = _medians(floors)
        ratios = [m[0] / f[0] for m, f in zip(measured, floors, strict=True)]
        print(
            f"{concurrency:>9} | {rate:>15.1f} {p50:>8.1f} {p99:>8.1f} | "
            f"{f_rate:>13.1f} {f_p50:>8.1f} {f_p99:>8.1f} | {statistics.median(ratios):>5.2f} | "
            + " ".join(f"{ratio:.2f}" for ratio in ratios)
        )
    print("target: service >= 0.5 x floor turns/s at 50 customers")


if __name__ == "__main__":
    asyncio.run(main())
