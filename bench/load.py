"""Scaling: turns/s and p99 through the REST API with 1, 2 and 4 service processes at a
fixed concurrency, so the factor gained per process is visible.

    python bench/load.py [--customers 40] [--turns 15] [--workers 1 2 4]

Each row is `store-assistant serve --workers N` on 127.0.0.1 with the offline model, on
an embedded PostgreSQL and Redis (or DATABASE_URL / REDIS_URL). The baseline is the
1-process row, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from _service import load_catalog, servers, service
from turns import SAMPLE_CATALOG
from turns import _service as measure


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=40, help="concurrent customers")
    parser.add_argument("--turns", type=int, default=15, help="turns per customer")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()

    rows = []
    async with servers("bench-load-") as found:
        load_catalog(found, SAMPLE_CATALOG)
        for workers in args.workers:
            async with service(found, workers=workers) as base_url:
                rows.append((workers, await measure(base_url, args.customers, args.turns)))

    print(
        f"\nturns through POST /api/chatbot/process, offline model, {args.customers} customers"
        f" x {args.turns} turns, on {os.cpu_count()} cores"
    )
    print(f"{'processes':>9} | {'turns/s':>8} {'p50 ms':>8} {'p99 ms':>8} | {'x 1 process':>11}")
    base = rows[0][1][0]
    for workers, (rate, p50, p99) in rows:
        print(f"{workers:>9} | {rate:>8.1f} {p50:>8.1f} {p99:>8.1f} | {rate / base:>11.2f}")


if __name__ == "__main__":
    asyncio.run(main())
