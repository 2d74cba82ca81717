"""WhatsApp webhook acknowledgement latency while the model works in the background.

    python bench/webhook.py [--rate 50] [--seconds 10]

The service runs as a real process (offline model, embedded PostgreSQL and Redis) with the
Graph API pointed at a local fake. Signed deliveries arrive at --rate per second from many
customers; each is acknowledged before its turn runs. Printed: p50/p99 of the webhook's
200, beside the same figures for GET /api/health sent at the same pace (the floor: what
any request costs on this machine), and how many answers went out meanwhile.
Target: webhook median under 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from _service import TOKEN, load_catalog, servers, service

# The fake Graph API and the signed deliveries are the end-to-end tests' own.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.processes import FakeGraphApi, fake_graph_api, whatsapp_delivery, whatsapp_env

SAMPLE_CATALOG = Path(__file__).resolve().parents[1] / "ingestion" / "data" / "sample_catalog.json"
TEXTS = ["hola, ¿tienen arroz?", "do you have a blender?", "¿cuánto cuesta el café?", "gracias"]


async def paced(rate: int, seconds: float, send: Any) -> list[float]:
    """Fire `send(n)` at `rate` per second for `seconds`; latencies in ms."""
    latencies: list[float] = []

    async def one(number: int) -> None:
        start = time.perf_counter()
        response = await send(number)
        response.raise_for_status()
        latencies.append((time.perf_counter() - start) * 1000)

    tasks = []
    began = time.perf_counter()
    for number in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, began + number / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(number)))
    await asyncio.gather(*tasks)
    return latencies


def client_for(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=60, limits=httpx.Limits(max_connections=64))


def cuts(latencies: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(latencies, n=100)
    return q[49], q[98]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=50, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    with fake_graph_api() as graph_api:
        os.environ.update(whatsapp_env(graph_api, burst_ms=1500))
        async with servers("bench-webhook-") as found:
            load_catalog(found, SAMPLE_CATALOG)
            async with service(found) as base_url:
                customers = 200
                async with client_for(base_url) as client:
                    for number in range(customers):
                        await client.put(
                            f"/api/customers/+5841470{number:05d}",
                            json={"name": "Bench"},
                            headers={"Authorization": f"Bearer {TOKEN}"},
                        )
                    floor = await paced(
                        args.rate, args.seconds, lambda n: client.get("/api/health")
                    )
                # A fresh client: keep-alive connections the server closed meanwhile are gone.
                async with client_for(base_url) as client:

                    def webhook(number: int) -> Any:
                        sender = f"5841470{number % customers:05d}"
                        body, headers = whatsapp_delivery(
                            sender, f"wamid.IN{number}", TEXTS[number % len(TEXTS)]
                        )
                        return client.post("/api/whatsapp/webhook", content=body, headers=headers)

                    acks = await paced(args.rate, args.seconds, webhook)
                    await asyncio.sleep(3)
    (f50, f99), (w50, w99) = cuts(floor), cuts(acks)
    print(f"{len(acks)} deliveries at {args.rate}/s over {args.seconds:.0f} s")
    print(f"webhook 200:          p50 {w50:6.1f} ms   p99 {w99:6.1f} ms   (target p50 < 250 ms)")
    print(f"floor GET /api/health p50 {f50:6.1f} ms   p99 {f99:6.1f} ms")
    print(f"answers sent meanwhile (bursts merge messages): {len(FakeGraphApi.sent)}")


if __name__ == "__main__":
    asyncio.run(main())
