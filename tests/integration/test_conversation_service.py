"""The service on the embedded PostgreSQL and Redis: memory, isolation, pauses, the API."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from api.runtime import Runtime
from api.settings import Settings
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, register, running_app, say

pytestmark = pytest.mark.integration

App = tuple[httpx.AsyncClient, Runtime]


async def test_a_new_customer_registers_and_is_stored(app: App) -> None:
    client, _ = app
    phone = "+15550100001"
    await say(client, phone, "Hi there")
    await say(client, phone, "My name is John Carter")
    await say(client, phone, "221 Baker Street, Springfield")
    done = await say(client, phone, "yes")
    assert done["stage"] == "ordering"
    stored = await client.get(f"/api/customers/{phone}", headers=OPERATOR)
    assert stored.json() == {
        "phone": phone,
        "name": "John Carter",
        "address": "221 Baker Street, Springfield",
    }


async def test_a_known_customer_is_recognised_and_answered_in_the_first_turn(app: App) -> None:
    client, runtime = app
    await load_catalog(runtime, SCENARIOS / "catalog.json")
    phone = "+584141112233"
    await register(client, phone, "Ana Pérez", "Caracas")
    body = await say(client, phone, "Hola, ¿tienen arroz?")
    assert body["stage"] == "ordering"
    assert "Ana" in body["reply"]
    assert "Arroz blanco" in body["reply"]


async def test_the_conversation_resumes_after_the_app_restarts(settings: Settings) -> None:
    phone = "+15550100002"
    async with running_app(settings) as (client, _):
        await say(client, phone, "Hello")
        await say(client, phone, "My name is Rita Moreno")
    async with running_app(settings) as (client, _):
        body = await say(client, phone, "5 Sunset Blvd, Los Angeles")
    assert body["stage"] == "verification"
    assert "Rita Moreno" in body["reply"]
    assert "Sunset Blvd" in body["reply"]


async def test_two_customers_at_once_never_see_each_other(app: App) -> None:
    client, _ = app

    async def register(phone: str, name: str, address: str) -> dict[str, object]:
        await say(client, phone, "Hi")
        await say(client, phone, f"My name is {name}")
        return await say(client, phone, address)

    first, second = await asyncio.gather(
        register("+15550100011", "Alice Walker", "1 First Street, Boston"),
        register("+15550100012", "Bruno Mars", "2 Second Avenue, Miami"),
    )
    assert "Alice" in str(first["reply"])
    assert "Bruno" not in str(first["reply"])
    assert "Bruno" in str(second["reply"])
    assert "Alice" not in str(second["reply"])
    assert first["conversation_id"] != second["conversation_id"]


async def test_the_same_customer_on_two_channels_has_two_threads_one_record(app: App) -> None:
    client, _ = app
    phone = "+15550100021"
    await register(client, phone, "Dana Scully")
    threads = set()
    for channel in ("rest", "web"):
        response = await client.post(
            "/api/chatbot/process",
            json={"customer_phone": phone, "user_input": "hello", "channel": channel},
        )
        assert "Dana" in response.json()["reply"]
        threads.add(response.json()["conversation_id"])
    assert len(threads) == 2


async def test_handoff_silences_the_bot_until_an_operator_resumes(app: App) -> None:
    client, _ = app
    phone = "+584145556677"
    await register(client, phone, "Jorge Díaz")
    handed = await say(client, phone, "quiero hablar con un asesor")
    assert handed["paused"]
    assert handed["stage"] == "handoff"
    silent = await say(client, phone, "¿hola?")
    assert silent["reply"] == ""
    assert silent["paused"]
    resumed = await client.post(
        f"/api/conversations/{handed['conversation_id']}/resume", headers=OPERATOR
    )
    assert resumed.json() == {"conversation_id": handed["conversation_id"], "resumed": True}
    back = await say(client, phone, "hola, ¿tienen café?")
    assert not back["paused"]
    assert back["stage"] == "ordering"
    assert back["reply"]


async def test_an_expired_pause_returns_the_conversation_to_ordering(app: App) -> None:
    client, runtime = app
    phone = "+584145556678"
    await register(client, phone, "Eva Luna")
    handed = await say(client, phone, "talk to a human")
    async with runtime.pool.connection() as conn:
        await conn.execute(
            "UPDATE conversation_pauses SET paused_until = now() - interval '1 second'"
        )
    back = await say(client, phone, "hello again")
    assert handed["paused"]
    assert not back["paused"]
    assert back["stage"] == "ordering"
    assert back["reply"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_input": "hi"}, "customer_phone"),
        ({"customer_phone": "+15550100001"}, "user_input"),
        ({"customer_phone": "not a phone", "user_input": "hi"}, "customer_phone"),
        ({"customer_phone": "+15550100001", "user_input": "   "}, "user_input"),
        (
            {"customer_phone": "+15550100001", "user_input": "hi", "channel": "DROP TABLE"},
            "channel",
        ),
        ({"customer_phone": 5, "user_input": "hi"}, "customer_phone"),
    ],
)
async def test_bad_chat_bodies_get_422_naming_the_field_and_store_nothing(
    app: App, body: dict[str, object], field: str
) -> None:
    client, runtime = app
    response = await client.post("/api/chatbot/process", json=body)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    async with runtime.pool.connection() as conn:
        cursor = await conn.execute("SELECT count(*) AS n FROM conversations")
        row = await cursor.fetchone()
    assert row is not None
    assert row["n"] == 0


async def test_an_overlong_message_is_refused_clearly(app: App) -> None:
    client, runtime = app
    limit = runtime.settings.max_message_chars
    response = await client.post(
        "/api/chatbot/process",
        json={"customer_phone": "+15550100001", "user_input": "a" * (limit + 1)},
    )
    assert response.status_code == 413
    assert str(limit) in response.json()["detail"]


async def test_operator_endpoints_need_the_token(app: App) -> None:
    client, _ = app
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = await client.get("/api/customers/+15550100001", headers=headers)
        assert response.status_code == 401
    missing = await client.get("/api/customers/+15550100001", headers=OPERATOR)
    assert missing.status_code == 404
    unknown = await client.post("/api/conversations/nope/resume", headers=OPERATOR)
    assert unknown.status_code == 404


async def test_health_and_readiness(app: App) -> None:
    client, _ = app
    assert (await client.get("/api/health")).json() == {"status": "ok"}
    ready = await client.get("/api/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_migrations_are_recorded_and_idempotent(app: App) -> None:
    from storage.db import migrate

    _, runtime = app
    assert await migrate(runtime.pool) == []
    async with runtime.pool.connection() as conn:
        cursor = await conn.execute("SELECT name FROM schema_migrations ORDER BY version")
        names = [row["name"] for row in await cursor.fetchall()]
    assert names[0] == "001_initial.sql"
