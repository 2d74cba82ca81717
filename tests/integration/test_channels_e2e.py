"""End to end: two app processes, one Redis, a fake Graph API, twenty customers in bursts."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest

from api.settings import Settings
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, running_app
from tests.integration.test_orders import _ready, _server

pytestmark = pytest.mark.integration

SECRET = "e2e-secret"


class _Graph(BaseHTTPRequestHandler):
    sent: ClassVar[list[dict[str, Any]]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with self.lock:
            if body.get("type"):
                self.sent.append(body)
            number = len(self.sent)
        payload = json.dumps({"messages": [{"id": f"wamid.OUT{number}"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def graph_api() -> Iterator[str]:
    _Graph.sent = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Graph)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v21.0"
    server.shutdown()
    server.server_close()


def _delivery(sender: str, message_id: str, text: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "W",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": message_id,
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"content-type": "application/json", "x-hub-signature-256": signature}


def _text(body: dict[str, Any]) -> str:
    if body["type"] == "text":
        return str(body["text"]["body"])
    return str(body["interactive"]["body"]["text"])


async def test_twenty_customers_in_bursts_on_two_processes_get_one_answer_per_burst(
    settings: Settings,
    graph_api: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in (
        ("WHATSAPP_APP_SECRET", SECRET),
        ("WHATSAPP_ACCESS_TOKEN", "t"),
        ("WHATSAPP_PHONE_NUMBER_ID", "PID"),
        ("WHATSAPP_API_BASE_URL", graph_api),
        ("BURST_WINDOW_MS", "400"),
    ):
        monkeypatch.setenv(name, value)
    senders = [f"58414600{n:04d}" for n in range(20)]
    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        for sender in senders:
            await client.put(
                f"/api/customers/+{sender}", json={"name": "Cliente"}, headers=OPERATOR
            )
    bursts = [["hola", "¿tienen arroz?", "gracias"], ["y otra cosa", "¿tienen café?"]]
    with _server(settings) as first, _server(settings) as second:
        await asyncio.gather(_ready(first), _ready(second))
        async with httpx.AsyncClient(timeout=30) as http:
            for burst_number, burst in enumerate(bursts):
                deliveries = []
                for index, sender in enumerate(senders):
                    for position, text in enumerate(burst):
                        message_id = f"wamid.{sender}.{burst_number}.{position}"
                        deliveries.append((index + position, message_id, sender, text))
                        if (index + position) % 3 == 0:  # the platform redelivers some
                            deliveries.append((index + position + 1, message_id, sender, text))
                acks = []
                for turn, (target, message_id, sender, text) in enumerate(deliveries):
                    body, headers = _delivery(sender, message_id, text)
                    base = (first, second)[target % 2]
                    acks.append(
                        http.post(f"{base}/api/whatsapp/webhook", content=body, headers=headers)
                    )
                    if turn % 20 == 19:
                        await asyncio.gather(*acks)
                        acks = []
                responses = [*await asyncio.gather(*acks)]
                assert all(r.status_code == 200 for r in responses)
                for _ in range(300):  # wait for every burst's answer
                    await asyncio.sleep(0.1)
                    if len(_Graph.sent) >= len(senders) * (burst_number + 1):
                        break
                await asyncio.sleep(1.5)  # anything extra would have arrived by now
    by_customer: dict[str, list[str]] = {}
    for body in _Graph.sent:
        by_customer.setdefault(body["to"], []).append(_text(body))
    assert sorted(by_customer) == sorted(senders)
    for sender, answers in by_customer.items():
        assert len(answers) == 2, (sender, answers)
        assert "Arroz" in answers[0], answers
        assert "Café" in answers[1], answers
    async with running_app(settings) as (_, runtime), runtime.pool.connection() as conn:
        row = await (
            await conn.execute(
                "SELECT count(*) AS n, count(DISTINCT message_id) AS distinct_ids "
                "FROM processed_messages WHERE channel = 'whatsapp'"
            )
        ).fetchone()
    assert row is not None
    assert (row["n"], row["distinct_ids"]) == (100, 100)
