"""The composition root: settings in, a running assistant out.

Starts the embedded servers when no URLs are configured, opens the pool, applies the
migrations, sets up the checkpointer and compiles the graph with it. The FastAPI lifespan,
the terminal chat and the CLI all use `open_runtime`, so they run the same code path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from langgraph.graph.state import CompiledStateGraph
from redis.asyncio import Redis

from agent.context import Services
from agent.models import build_chat_model
from agent.speech.voice import Voice
from agent.turns import TurnRunner
from api.channels.base import SendRate
from api.channels.supportboard import SupportBoardChannel
from api.channels.whatsapp import WhatsAppChannel
from api.cleanup import CleanupRunner
from api.inbox import Inbox
from api.order_export import OrderExporter
from api.ratelimit import RateLimiter
from api.settings import Settings
from api.speech import build_voice
from graphs.conversation import builder
from ingestion.embeddings import Embedder, build_embedder
from ingestion.pipeline import Progress, SyncReport, sync_catalog
from ingestion.worker import IngestWorker
from storage.catalog import CatalogRepository
from storage.catalog_sync import CatalogWriter
from storage.checkpoints import checkpoint_saver
from storage.conversations import ConversationRepository
from storage.customers import CustomerRepository
from storage.db import Pool, migrate, open_pool
from storage.embedded import EmbeddedPostgres, EmbeddedRedis
from storage.housekeeping import Housekeeping
from storage.jobs import JobRepository
from storage.orders import OrderRepository

log = logging.getLogger(__name__)


def now_version() -> int:
    """The snapshot version of a batch that names none: the time it was received, in ms."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    pool: Pool
    redis: Redis
    services: Services
    graph: CompiledStateGraph[Any, Any, Any, Any]
    turns: TurnRunner
    catalog_writer: CatalogWriter
    embedder: Embedder
    jobs: JobRepository
    worker: IngestWorker
    orders: OrderRepository
    exporter: OrderExporter
    whatsapp: WhatsAppChannel
    supportboard: SupportBoardChannel
    inbox: Inbox
    housekeeping: Housekeeping
    cleanup: CleanupRunner
    limiter: RateLimiter
    conversations: ConversationRepository
    started_at: float
    voice: Voice

    async def sync_catalog(
        self,
        items: Sequence[Any],
        *,
        full_sync: bool = False,
        version: int | None = None,
        progress: Progress | None = None,
    ) -> SyncReport:
        """Run the ingestion pipeline in this process (CLI, demo, tests)."""
        return await sync_catalog(
            items,
            writer=self.catalog_writer,
            embedder=self.embedder,
            version=version if version is not None else now_version(),
            full_sync=full_sync,
            progress=progress,
        )


def build_services(settings: Settings, pool: Pool, catalog: CatalogRepository) -> Services:
    """The repositories on `pool` and the chat model named in settings."""
    return Services(
        customers=CustomerRepository(pool),
        catalog=catalog,
        conversations=ConversationRepository(pool),
        orders=OrderRepository(pool),
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


async def open_catalog(
    settings: Settings, pool: Pool, database_url: str, stack: AsyncExitStack
) -> tuple[CatalogRepository, CatalogWriter, Embedder]:
    """The catalog's read and write sides with the configured embeddings, the vector
    column sized for them (a new dimension empties it, to be re-embedded)."""
    embedder = build_embedder(settings.embeddings, dimensions=settings.embedding_dimensions)
    writer = CatalogWriter(pool)
    if await writer.embedding_dimensions() != embedder.dimensions:
        log.warning(
            "embedding dimension changed: the catalog will be re-embedded",
            extra={"model": embedder.name, "dimensions": embedder.dimensions},
        )
        await writer.resize_embeddings(embedder.dimensions)
    return CatalogRepository(pool, embedder.service), writer, embedder


@contextmanager
def server_urls(settings: Settings) -> Iterator[tuple[str, str]]:
    """The PostgreSQL and Redis URLs: the configured ones, else embedded servers started
    here (and stopped on exit) under DATA_DIR."""
    with ExitStack() as stack:
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
        yield database_url, redis_url


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with AsyncExitStack() as stack:
        database_url, redis_url = stack.enter_context(server_urls(settings))

        pool = await open_pool(database_url, max_size=settings.db_pool_max_size)
        stack.push_async_callback(pool.close)
        await migrate(pool)
        checkpointer = checkpoint_saver(pool)
        await checkpointer.setup()

        # Bounded waits: a Redis that stops answering fails the request (503), not hangs it.
        redis = Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
        stack.push_async_callback(redis.aclose)
        await redis.ping()

        catalog, writer, embedder = await open_catalog(settings, pool, database_url, stack)
        services = build_services(settings, pool, catalog)
        log.info("chat model in use", extra={"model": settings.model})
        jobs = JobRepository(pool)
        worker = IngestWorker(jobs, writer, embedder, poll_seconds=settings.ingest_poll_seconds)
        graph = builder.compile(checkpointer=checkpointer, name="store-assistant")
        turns = TurnRunner(
            graph,
            services,
            redis,
            lock_seconds=settings.turn_lock_seconds,
            keep_cart_on_timeout=settings.keep_cart_on_timeout,
            model_provider=settings.model.partition(":")[0],
        )
        orders = OrderRepository(pool)
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
        secret = settings.order_webhook_secret
        exporter = OrderExporter(
            orders,
            http,
            settings.order_webhook_url,
            secret=secret.get_secret_value() if secret else None,
            max_attempts=settings.order_export_max_attempts,
        )
        conversations = ConversationRepository(pool)
        access = settings.whatsapp_access_token
        whatsapp = WhatsAppChannel(
            http,
            conversations,
            base_url=settings.whatsapp_api_base_url,
            phone_number_id=settings.whatsapp_phone_number_id,
            access_token=access.get_secret_value() if access else "",
            rate=SendRate(redis, "whatsapp", settings.whatsapp_send_rate),
        )
        sb_token = settings.support_board_token
        supportboard = SupportBoardChannel(
            http,
            conversations,
            url=settings.support_board_url,
            token=sb_token.get_secret_value() if sb_token else "",
            bot_user_id=settings.support_board_bot_user_id,
            phone_region=settings.default_phone_region,
            whatsapp=whatsapp if settings.whatsapp_configured else None,
        )
        limiter = RateLimiter(redis)
        voice = build_voice(settings, catalog)
        inbox = Inbox(
            redis,
            turns,
            conversations,
            {"whatsapp": whatsapp, "supportboard": supportboard},
            burst_ms=settings.burst_window_ms,
            limiter=limiter,
            per_customer_limit=settings.rate_limit_per_customer,
            voice=voice,
            voice_replies=settings.voice_replies,
            max_audio_bytes=settings.max_audio_bytes,
        )
        housekeeping = Housekeeping(pool)
        cleanup = CleanupRunner(
            housekeeping,
            interval=settings.cleanup_interval,
            max_conversation_age=timedelta(seconds=settings.max_conversation_age),
            checkpoint_retention=timedelta(days=settings.checkpoint_retention_days),
        )
        runtime = Runtime(
            settings,
            pool,
            redis,
            services,
            graph,
            turns,
            writer,
            embedder,
            jobs,
            worker,
            orders,
            exporter,
            whatsapp,
            supportboard,
            inbox,
            housekeeping,
            cleanup,
            limiter,
            conversations,
            time.time(),
            voice,
        )
        try:
            yield runtime
        finally:
            # Turns queued by webhooks finish before the pools and servers close.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(inbox.drain(), timeout=settings.shutdown_grace_seconds)
