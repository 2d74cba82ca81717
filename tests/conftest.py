"""Shared fixtures: one embedded PostgreSQL and Redis per test session, a fresh database
per test cloned from a migrated template (fast), and the app wired to them."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from redis.asyncio import Redis

from api.main import create_app
from api.runtime import Runtime, open_runtime
from api.settings import Settings
from storage.db import migrate, open_pool
from storage.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.processes import fake_graph_api

SCENARIOS = Path(__file__).parent / "scenarios"
OPERATOR = {"Authorization": "Bearer test-operator-token"}
_TEMPLATE = "store_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def postgres(data_dir: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres.start(data_dir, delete_on_stop=True)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(data_dir: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis.start(data_dir)
    yield server
    server.stop()


def _with_database(uri: str, name: str) -> str:
    return uri.replace("/postgres?", f"/{name}?", 1)


@pytest.fixture(scope="session")
async def template_database(postgres: EmbeddedPostgres) -> str:
    """A database with every migration and the checkpointer tables, cloned per test."""
    async with await psycopg.AsyncConnection.connect(postgres.uri, autocommit=True) as conn:
        await conn.execute(f"DROP DATABASE IF EXISTS {_TEMPLATE}")
        await conn.execute(f"CREATE DATABASE {_TEMPLATE}")
    pool = await open_pool(_with_database(postgres.uri, _TEMPLATE))
    try:
        await migrate(pool)
        await AsyncPostgresSaver(pool).setup()
    finally:
        await pool.close()
    return _TEMPLATE


@pytest.fixture
async def database_url(postgres: EmbeddedPostgres, template_database: str) -> str:
    name = f"test_{next(_counter)}"
    async with await psycopg.AsyncConnection.connect(postgres.uri, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template_database}")
    return _with_database(postgres.uri, name)


@pytest.fixture
async def redis_url(redis_server: EmbeddedRedis) -> str:
    client = Redis.from_url(redis_server.url)
    await client.flushdb()
    await client.aclose()
    return redis_server.url


@pytest.fixture
def settings(database_url: str, redis_url: str, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        data_dir=data_dir,
        admin_api_token="test-operator-token",  # type: ignore[arg-type]
    )


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The app on a real database and Redis, driven in-process through ASGI."""
    app = create_app(settings)
    async with open_runtime(settings) as runtime:
        app.state.runtime = runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, runtime


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    async with running_app(settings) as pair:
        yield pair


async def load_catalog(runtime: Runtime, path: Path) -> None:
    report = await runtime.sync_catalog(json.loads(path.read_text(encoding="utf-8")))
    assert not report.errors


async def say(client: httpx.AsyncClient, phone: str, text: str) -> dict[str, Any]:
    response = await client.post(
        "/api/chatbot/process", json={"customer_phone": phone, "user_input": text}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def register(client: httpx.AsyncClient, phone: str, name: str, address: str = "") -> None:
    """A known customer, through the operator API."""
    response = await client.put(
        f"/api/customers/{phone}", json={"name": name, "address": address}, headers=OPERATOR
    )
    assert response.status_code == 200, response.text


def use_servers_of(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI (which reads the environment) at this test's database and Redis."""
    for name, value in (
        ("DATABASE_URL", settings.database_url),
        ("REDIS_URL", settings.redis_url),
        ("DATA_DIR", str(settings.data_dir)),
    ):
        monkeypatch.setenv(name, value or "")


@pytest.fixture
def graph_api() -> Iterator[str]:
    """A fake WhatsApp Graph API on 127.0.0.1 for app processes (its base URL)."""
    with fake_graph_api() as url:
        yield url
