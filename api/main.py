"""The FastAPI application: `create_app(settings)` wires routes to a running assistant."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.routes import (
    chat,
    customers,
    health,
    ingest,
    orders,
    products,
    stats,
    supportboard,
    whatsapp,
)
from api.runtime import open_runtime
from api.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            tasks = [
                asyncio.create_task(runtime.worker.run(), name="ingest-worker"),
                asyncio.create_task(runtime.exporter.run(), name="order-exporter"),
                asyncio.create_task(runtime.inbox.run_sweeper(), name="inbox-sweeper"),
                asyncio.create_task(runtime.cleanup.run(), name="cleanup"),
            ]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    app = FastAPI(
        title="Store Assistant",
        version="0.1.0",
        description="An AI sales and support agent for a store's chat channels.",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(customers.router)
    app.include_router(ingest.router)
    app.include_router(products.router)
    app.include_router(orders.router)
    app.include_router(whatsapp.router)
    app.include_router(supportboard.router)
    app.include_router(stats.router)
    return app
