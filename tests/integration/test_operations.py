"""Operations: deployment stats, closing idle conversations, checkpoint pruning, rate limits."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from api.channels.base import Inbound
from api.runtime import Runtime
from api.settings import Settings
from storage.conversations import ConversationRepository
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, register, running_app, say

pytestmark = pytest.mark.integration

App = tuple[httpx.AsyncClient, Runtime]


async def _age_conversations(runtime: Runtime, seconds: int) -> None:
    """Make every conversation look idle for `seconds` (the clock, not a sleep)."""
    async with runtime.pool.connection() as conn:
        await conn.execute(
            "UPDATE conversations SET last_activity_at = now() - make_interval(secs => %s)",
            (seconds,),
        )


async def test_stats_count_conversations_orders_and_errors_with_phones_masked(app: App) -> None:
    client, runtime = app
    await load_catalog(runtime, SCENARIOS / "catalog.json")
    phone = "+15550107001"
    await register(client, phone, "Stat Tester", "1 Main St")
    await say(client, phone, "hello")
    await say(client, phone, "I want 2 red apples")
    await say(client, phone, "checkout")
    placed = await say(client, phone, "yes")
    assert "order" in placed["reply"].lower()
    await say(client, "+15550107002", "hi")  # a second, unregistered conversation
    await ConversationRepository(runtime.pool).record_error("turn", None, "boom")

    assert (await client.get("/api/deployment/stats")).status_code == 401
    body = (await client.get("/api/deployment/stats", headers=OPERATOR)).json()
    assert body["status"] == "ok"
    assert body["uptime"] >= 0
    assert body["stats"] == {
        "total_conversations": 2,
        "active_conversations": 2,
        "completed_conversations": 0,
        "paused_conversations": 0,
        "orders_today": 1,
        "errors": 1,
    }
    listed = {c["phone"] for c in body["active_conversations"]}
    assert phone not in str(body)
    assert any(p and p.endswith("01") and "*" in p for p in listed)


async def test_an_idle_conversation_is_closed_and_its_next_message_starts_afresh(
    app: App,
) -> None:
    client, runtime = app
    await load_catalog(runtime, SCENARIOS / "catalog.json")
    phone = "+15550107003"
    await register(client, phone, "Rosa Díaz", "Calle 1")
    await say(client, phone, "hola")
    added = await say(client, phone, "quiero 2 manzanas rojas")
    assert added["cart"]

    await _age_conversations(runtime, runtime.settings.max_conversation_age + 60)
    report = await runtime.cleanup.run_once()
    assert report.ran
    assert report.closed == 1
    stats = (await client.get("/api/deployment/stats", headers=OPERATOR)).json()["stats"]
    assert stats["completed_conversations"] == 1
    assert stats["active_conversations"] == 0

    back = await say(client, phone, "hola de nuevo")
    assert "Rosa" in back["reply"]  # greeted again, still known
    assert back["stage"] == "ordering"
    assert back["cart"] == added["cart"]  # KEEP_CART_ON_TIMEOUT defaults to true
    state = await runtime.turns.state_of(back["conversation_id"])
    assert [m.text for m in state["messages"] if m.type == "human"] == ["hola de nuevo"]
    stats = (await client.get("/api/deployment/stats", headers=OPERATOR)).json()["stats"]
    assert stats["active_conversations"] == 1


async def test_a_closed_conversation_drops_its_cart_when_configured(settings: Settings) -> None:
    settings = settings.model_copy(update={"keep_cart_on_timeout": False})
    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        phone = "+15550107004"
        await register(client, phone, "Tom Lee", "2 Oak Rd")
        await say(client, phone, "hello")
        assert (await say(client, phone, "I want 3 bananas"))["cart"]
        await _age_conversations(runtime, settings.max_conversation_age + 1)
        await runtime.cleanup.run_once()
        back = await say(client, phone, "hello again")
    assert back["cart"] == []
    assert "Tom" in back["reply"]


async def test_old_checkpoints_are_pruned_keeping_each_threads_latest(app: App) -> None:
    client, runtime = app
    phones = ["+15550107005", "+15550107006"]
    for phone in phones:
        for text in ("hi", "my name is Ann Lee", "3 Pine St, Austin"):
            await say(client, phone, text)
    async with runtime.pool.connection() as conn:
        before = await (await conn.execute("SELECT count(*) AS n FROM checkpoints")).fetchone()
    assert before
    assert before["n"] > len(phones)

    nothing = await runtime.housekeeping.run_once(
        max_conversation_age=timedelta(hours=1), checkpoint_retention=timedelta(days=1)
    )
    assert nothing.checkpoints_pruned == 0  # all are recent
    report = await runtime.housekeeping.run_once(
        max_conversation_age=timedelta(hours=1), checkpoint_retention=timedelta(0)
    )
    assert report.checkpoints_pruned == before["n"] - len(phones)
    async with runtime.pool.connection() as conn:
        per_thread = await (
            await conn.execute("SELECT thread_id, count(*) AS n FROM checkpoints GROUP BY 1")
        ).fetchall()
    assert [row["n"] for row in per_thread] == [1, 1]
    # Each conversation still continues from its state.
    done = await say(client, phones[0], "yes")
    assert done["stage"] == "ordering"


async def test_one_cleanup_round_at_a_time_across_processes(app: App) -> None:
    _, runtime = app
    args = {"max_conversation_age": timedelta(hours=1), "checkpoint_retention": timedelta(days=7)}
    async with runtime.pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (0x5A_C1EA,))
        held = await runtime.housekeeping.run_once(**args)  # another process's round
    assert not held.ran
    assert (await runtime.housekeeping.run_once(**args)).ran


async def test_rest_chat_over_the_customer_limit_gets_429_with_retry_after(
    settings: Settings,
) -> None:
    settings = settings.model_copy(update={"rate_limit_per_customer": 3})
    async with running_app(settings) as (client, _):
        phone = "+15550107007"
        for _ in range(3):
            await say(client, phone, "hi")
        refused = await client.post(
            "/api/chatbot/process", json={"customer_phone": phone, "user_input": "hi"}
        )
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        other = await say(client, "+15550107008", "hi")  # other customers are unaffected
        assert other["reply"]


async def test_operator_endpoints_over_the_address_limit_get_429(settings: Settings) -> None:
    settings = settings.model_copy(update={"rate_limit_per_address": 5})
    async with running_app(settings) as (client, _):
        codes = [
            (await client.get("/api/deployment/stats", headers=OPERATOR)).status_code
            for _ in range(7)
        ]
        assert codes == [200] * 5 + [429] * 2
        health = await client.get("/api/health")  # not limited
        assert health.status_code == 200


class _RecordingChannel:
    name = "recording"

    def __init__(self) -> None:
        self.said: list[str] = []
        self.delivered: list[str] = []

    async def deliver(self, to: Inbound, result: object, conversation_id: str) -> None:
        self.delivered.append(getattr(result, "reply", ""))

    async def say(self, to: Inbound, text: str, conversation_id: str) -> None:
        self.said.append(text)


async def test_a_flooding_chat_customer_gets_one_notice_not_one_per_message(
    settings: Settings,
) -> None:
    settings = settings.model_copy(update={"rate_limit_per_customer": 2, "burst_window_ms": 0})
    async with running_app(settings) as (_, runtime):
        channel = _RecordingChannel()
        runtime.inbox._channels["recording"] = channel  # a test channel
        for number in range(6):
            accepted = await runtime.inbox.accept(
                Inbound("recording", "wa-1", f"m{number}", "text", "hola", "+15550107009")
            )
            assert accepted
            await asyncio.sleep(0.05)
        await runtime.inbox.drain()
    assert len(channel.said) == 1
    assert "rápido" in channel.said[0] or "faster" in channel.said[0]
    assert 1 <= len(channel.delivered) <= 2  # only messages within the limit got turns


async def test_metrics_show_turns_tools_model_calls_and_pool_usage(app: App) -> None:
    client, runtime = app
    await load_catalog(runtime, SCENARIOS / "catalog.json")
    phone = "+15550107010"
    await register(client, phone, "Max Power", "9 Elm St")
    await say(client, phone, "hello")
    await say(client, phone, "do you have apples?")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text

    def value(sample: str) -> float:
        line = next(x for x in text.splitlines() if x.startswith(sample + " "))
        return float(line.rsplit(" ", 1)[1])

    assert value('store_assistant_turns_total{channel="rest",outcome="answered"}') >= 2
    assert value('store_assistant_tool_calls_total{tool="search_products"}') >= 1
    assert value('store_assistant_model_calls_total{outcome="ok",provider="offline"}') >= 2
    assert value('store_assistant_turn_seconds_count{channel="rest"}') >= 2
    assert value("store_assistant_open_conversations") == 1
    assert value('store_assistant_db_pool_connections{state="open"}') >= 1
    assert "store_assistant_ingested_records_total" in text
    assert phone not in text


async def test_logs_are_json_lines_with_request_id_and_masked_phones(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import logging

    from api.logs import configure_logging

    client, _ = app
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("INFO")
    try:
        response = await client.post(
            "/api/chatbot/process",
            json={"customer_phone": "+15550107011", "user_input": "hi"},
            headers={"X-Request-ID": "req-123"},
        )
        logging.getLogger("probe").warning(
            "customer +15550107011 wrote", extra={"to": "+15550107011"}
        )
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert response.headers["x-request-id"] == "req-123"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    probe = next(line for line in lines if line["logger"] == "probe")
    assert probe["level"] == "WARNING"
    assert "time" in probe
    assert "+15550107011" not in json.dumps(lines)
    assert probe["to"].endswith("11")
    assert "*" in probe["to"]


async def test_a_failed_webhook_turn_is_retried_and_its_order_placed_once(
    settings: Settings,
) -> None:
    settings = settings.model_copy(update={"burst_window_ms": 0})
    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        phone = "+15550107020"
        await register(client, phone, "Rita Retry", "1 Main St")
        channel = _RecordingChannel()
        runtime.inbox._channels["recording"] = channel  # a test channel

        async def send(number: int, text: str) -> None:
            message = Inbound("recording", phone, f"r{number}", "text", text, phone)
            assert await runtime.inbox.accept(message)
            await asyncio.sleep(0.05)
            await runtime.inbox.drain()

        await send(1, "hello")
        await send(2, "I want 2 red apples")
        await send(3, "checkout")
        orders_store = runtime.services.orders
        real_place = orders_store.place
        calls = 0

        async def place_then_crash(**kwargs: object) -> object:
            nonlocal calls
            calls += 1
            placed = await real_place(**kwargs)  # type: ignore[arg-type]
            if calls == 1:  # committed, then the turn dies before its checkpoint
                raise ConnectionError("lost the database after the order")
            return placed

        orders_store.place = place_then_crash  # type: ignore[method-assign]
        await send(4, "yes")
        assert len(channel.delivered) == 3  # the failed turn answered nothing yet
        async with runtime.redis.pipeline() as pipe:  # make the retry due now
            pipe.zadd(
                "inbox:pending", {c: 0 for c in await runtime.redis.zrange("inbox:pending", 0, -1)}
            )
            await pipe.execute()
        assert await runtime.inbox.sweep() == 1
        await runtime.inbox.drain()
        assert calls == 2
        assert len(channel.delivered) == 4
        orders = await client.get("/api/orders", params={"customer_phone": phone}, headers=OPERATOR)
        assert len(orders.json()) == 1
        apples = (await client.get("/api/products/GR-APPLE", headers=OPERATOR)).json()
        assert sum(s["reserved"] for s in apples["stock"]) == 2
