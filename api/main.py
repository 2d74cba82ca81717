"""The FastAPI application: `create_app(settings)` wires routes to a running assistant."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError

from agent.speech.audio import SpeechServiceFailed
from api.logs import RequestIdMiddleware, configure_logging
from api.metrics import refresh_pool_gauges_forever
from api.metrics import router as metrics_router
from api.routes import (
    chat,
    console,
    customers,
    health,
    ingest,
    orders,
    products,
    stats,
    supportboard,
    voice,
    web,
    whatsapp,
)
from api.runtime import open_runtime
from api.settings import Settings

log = logging.getLogger(__name__)


def create_worker_app() -> FastAPI:
    """The app of one `serve --workers N` process: settings from the environment (the
    parent points it at the shared servers) and JSON logs."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings, serving=True)


def create_app(settings: Settings | None = None, *, serving: bool = False) -> FastAPI:
    """`serving`: this process serves until it is stopped (the CLI's `serve` and `demo`),
    so what start-up loaded is frozen out of the garbage collector's sight. Left off where
    one process builds many apps (the tests)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            # Before serving, not beside it: loading the encoder holds the interpreter for
            # seconds, which would stall the first requests (webhook acks included).
            await asyncio.to_thread(runtime.embedder.warm_up)
            if serving:
                # The libraries, the encoder and the graph live as long as the process;
                # frozen, a full collection stops re-scanning them (7 % of a turn's CPU
                # at 50 customers in bench/turns.py).
                gc.collect()
                gc.freeze()
            app.state.runtime = runtime
            exporter = asyncio.create_task(runtime.exporter.run(), name="order-exporter")
            tasks = [
                asyncio.create_task(runtime.worker.run(), name="ingest-worker"),
                asyncio.create_task(runtime.inbox.run_sweeper(), name="inbox-sweeper"),
                asyncio.create_task(runtime.cleanup.run(), name="cleanup"),
                asyncio.create_task(refresh_pool_gauges_forever(runtime), name="pool-gauges"),
            ]
            try:
                yield
            finally:
                # uvicorn has stopped accepting and let requests finish. An order event
                # being delivered is delivered (or its attempt recorded); an ingest job
                # cut short stays leased and is taken up again after its lease.
                runtime.exporter.stop()
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(exporter, settings.shutdown_grace_seconds)
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
        max_body_size=settings.max_request_bytes,  # catalog uploads have their own limit
    )
    app.add_middleware(RequestIdMiddleware)
    for unavailable in (
        psycopg.OperationalError,  # includes the pool's timeout and a server shutting down
        psycopg.InterfaceError,  # a connection the restart closed
        RedisConnectionError,
        RedisTimeoutError,
        LockError,
        SpeechServiceFailed,  # a hosted transcriber that is down
    ):
        app.add_exception_handler(unavailable, _unavailable)
    app.add_exception_handler(psycopg.DataError, _unstorable)
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(voice.router)
    app.include_router(customers.router)
    app.include_router(ingest.router)
    app.include_router(products.router)
    app.include_router(orders.router)
    app.include_router(whatsapp.router)
    app.include_router(supportboard.router)
    app.include_router(stats.router)
    app.include_router(metrics_router)
    app.include_router(web.router)
    app.include_router(console.page)
    app.include_router(console.router)
    return app


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    """PostgreSQL, Redis or a speech provider is unreachable (a restart, a failover, an
    outage): nothing was half-written (each change is one transaction), so the client is
    told to retry."""
    log.warning("dependency unavailable", extra={"error": type(error).__name__})
    return JSONResponse(
        {"detail": "temporarily unavailable; retry shortly"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unstorable(request: Request, error: Exception) -> JSONResponse:
    """A value PostgreSQL refuses (a NUL character, a number out of range): the client's
    input, so a 422 rather than a server error."""
    log.info("unstorable input", extra={"error": type(error).__name__})
    return JSONResponse(
        {"detail": "a value could not be stored: invalid character or out of range"},
        status_code=422,
    )
