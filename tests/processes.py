"""The app as real processes on 127.0.0.1, and the fake platforms they talk to.

Shared by the tests that need more than one process, a crash, or a real HTTP hop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx

from api.settings import Settings

WHATSAPP_SECRET = "e2e-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class AppProcess:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def app_process(
    settings: Settings, env: dict[str, str] | None = None, *, port: int | None = None
) -> Iterator[AppProcess]:
    """`store-assistant serve` in its own process, against the test's Postgres and Redis."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env={
            **os.environ,
            "DATABASE_URL": settings.database_url or "",
            "REDIS_URL": settings.redis_url or "",
            "ADMIN_API_TOKEN": "test-operator-token",
            "LOG_LEVEL": "WARNING",
            "DATA_DIR": str(settings.data_dir),
            **(env or {}),
        },
        stdout=subprocess.DEVNULL,
    )
    try:
        yield AppProcess(f"http://127.0.0.1:{port}", process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def server(settings: Settings, env: dict[str, str] | None = None) -> Iterator[str]:
    with app_process(settings, env) as app:
        yield app.url


async def ready(base_url: str, seconds: float = 60) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        for _ in range(int(seconds * 10)):
            try:
                if (await client.get("/api/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{base_url} never became ready")


class FakeGraphApi(BaseHTTPRequestHandler):
    """The WhatsApp Cloud API's messages endpoint: records what was sent."""

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


@contextmanager
def fake_graph_api() -> Iterator[str]:
    FakeGraphApi.sent = []
    http = ThreadingHTTPServer(("127.0.0.1", 0), FakeGraphApi)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_address[1]}/v21.0"
    finally:
        http.shutdown()
        http.server_close()


def whatsapp_env(graph_api: str, burst_ms: int) -> dict[str, str]:
    return {
        "WHATSAPP_APP_SECRET": WHATSAPP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": "t",
        "WHATSAPP_PHONE_NUMBER_ID": "PID",
        "WHATSAPP_API_BASE_URL": graph_api,
        "BURST_WINDOW_MS": str(burst_ms),
    }


def whatsapp_delivery(sender: str, message_id: str, text: str) -> tuple[bytes, dict[str, str]]:
    """A signed webhook delivery of one text message."""
    message = {"from": sender, "id": message_id, "type": "text", "text": {"body": text}}
    value = {"messaging_product": "whatsapp", "messages": [message]}
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "W", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
    signature = "sha256=" + hmac.new(WHATSAPP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"content-type": "application/json", "x-hub-signature-256": signature}


def sent_text(body: dict[str, Any]) -> str:
    """The text of a message the app sent through the Graph API."""
    if body["type"] == "text":
        return str(body["text"]["body"])
    return str(body["interactive"]["body"]["text"])
