"""GET /metrics in Prometheus format, whole across worker processes.

With `serve --workers N` the parent sets PROMETHEUS_MULTIPROC_DIR and every worker writes
its counters there, so whichever worker answers the scrape reports the sum of all of them.
"""

from __future__ import annotations

import os
from datetime import timedelta

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    generate_latest,
    multiprocess,
)

from api.deps import RuntimeDep
from api.periodic import every
from api.runtime import Runtime

router = APIRouter(tags=["health"])

OPEN_CONVERSATIONS = Gauge(
    "store_assistant_open_conversations",
    "Conversations with activity within MAX_CONVERSATION_AGE",
    multiprocess_mode="mostrecent",
)
POOL_CONNECTIONS = Gauge(
    "store_assistant_db_pool_connections",
    "Database pool connections by state",
    ["state"],
    multiprocess_mode="livesum",
)


def refresh_pool_gauges(runtime: Runtime) -> None:
    stats = runtime.pool.get_stats()
    size = stats.get("pool_size", 0)
    available = stats.get("pool_available", 0)
    POOL_CONNECTIONS.labels(state="open").set(size)
    POOL_CONNECTIONS.labels(state="in_use").set(size - available)
    POOL_CONNECTIONS.labels(state="waiting").set(stats.get("requests_waiting", 0))


async def refresh_pool_gauges_forever(runtime: Runtime, every_seconds: float = 5.0) -> None:
    """Each process keeps its own pool figures current for whichever process is scraped."""

    async def refresh() -> None:
        refresh_pool_gauges(runtime)

    await every(every_seconds, refresh, what="pool gauges")


@router.get("/metrics", response_class=Response)
async def metrics(runtime: RuntimeDep) -> Response:
    """Turns, model and tool calls, webhook duplicates, failed sends, ingestion records,
    open conversations and pool usage."""
    stats = await runtime.housekeeping.stats(
        max_conversation_age=timedelta(seconds=runtime.settings.max_conversation_age), listed=0
    )
    OPEN_CONVERSATIONS.set(stats.active_conversations)
    refresh_pool_gauges(runtime)
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
