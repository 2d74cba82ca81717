"""The composition root: settings in, a running assistant out.

Starts the embedded servers when no URLs are configured, opens the pool, applies the
migrations, sets up the checkpointer and compiles the graph with it. The FastAPI lifespan,
the terminal chat and the CLI all use `open_runtime`, so they run the same code path.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph.state import CompiledStateGraph
from redis.asyncio import Redis

from agent.context import Services
from agent.models import build_chat_model
from agent.turns import TurnRunner
from api.settings import Settings
from graphs.conversation import builder
from storage.catalog import CatalogRepository
from storage.conversations import ConversationRepository
from storage.customers import CustomerRepository
from storage.db import Pool, migrate, open_pool
from storage.embedded import EmbeddedPostgres, EmbeddedRedis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    pool: Pool
    redis: Redis
    services: Services
    graph: CompiledStateGraph[Any, Any, Any, Any]
    turns: TurnRunner


def build_services(settings: Settings, pool: Pool) -> Services:
    """The repositories on `pool` and the chat model named in settings."""
    return Services(
        customers=CustomerRepository(pool),
        catalog=CatalogRepository(pool),
        conversations=ConversationRepository(pool),
        model=build_chat_model(
            settings.model,
            base_url=settings.openai_base_url,
            timeout=settings.model_timeout_seconds,
        ),
        store_name=settings.store_name,
        currency=settings.store_currency,
        phone_region=settings.default_phone_region,
        handoff_pause_minutes=settings.handoff_pause_minutes,
        model_attempts=settings.model_max_retries + 1,
    )


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with AsyncExitStack() as stack:
        database_url = settings.database_url
        if database_url is None:
            postgres = EmbeddedPostgres.start(settings.data_dir)
            stack.callback(postgres.stop)
            database_url = postgres.uri
        redis_url = settings.redis_url
        if redis_url is None:
            embedded_redis = EmbeddedRedis.start(settings.data_dir)
            stack.callback(embedded_redis.stop)
            redis_url = embedded_redis.url

        pool = await open_pool(database_url, max_size=settings.db_pool_max_size)
        stack.push_async_callback(pool.close)
        await migrate(pool)
        checkpointer = AsyncPostgresSaver(pool)
        await checkpointer.setup()

        redis = Redis.from_url(redis_url)
        stack.push_async_callback(redis.aclose)
        await redis.ping()

        services = build_services(settings, pool)
        log.info("chat model in use", extra={"model": settings.model})
        graph = builder.compile(checkpointer=checkpointer, name="store-assistant")
        turns = TurnRunner(graph, services, redis, lock_seconds=settings.turn_lock_seconds)
        yield Runtime(settings, pool, redis, services, graph, turns)
