"""Shared by the benchmarks: embedded servers, and the service as a real process."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from storage.db import migrate, open_pool
from storage.embedded import EmbeddedPostgres, EmbeddedRedis

TOKEN = "bench-operator-token"  # noqa: S105 - a local benchmark's own token


@dataclass(frozen=True)
class Servers:
    database_url: str
    redis_url: str

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "ADMIN_API_TOKEN": TOKEN,
            "LOG_LEVEL": "WARNING",
            "MODEL": "offline",
            # Benchmarks measure throughput; the limits would refuse their traffic.
            "RATE_LIMIT_PER_CUSTOMER": "100000",
            "RATE_LIMIT_PER_ADDRESS": "1000000",
        }


@asynccontextmanager
async def servers(prefix: str) -> AsyncIterator[Servers]:
    """DATABASE_URL / REDIS_URL when set, else embedded ones in a temporary directory."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    postgres = (
        None
        if os.environ.get("DATABASE_URL")
        else EmbeddedPostgres.start(data_dir, delete_on_stop=True)
    )
    redis = None if os.environ.get("REDIS_URL") else EmbeddedRedis.start(data_dir)
    found = Servers(
        os.environ.get("DATABASE_URL") or (postgres.uri if postgres else ""),
        os.environ.get("REDIS_URL") or (redis.url if redis else ""),
    )
    pool = await open_pool(found.database_url)
    await migrate(pool)
    await pool.close()
    try:
        yield found
    finally:
        if redis:
            redis.stop()
        if postgres:
            postgres.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def load_catalog(found: Servers, path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "api.cli", "ingest", str(path)],
        env=found.env(),
        check=True,
        stderr=subprocess.DEVNULL,
    )


@asynccontextmanager
async def service(found: Servers, *, workers: int = 1) -> AsyncIterator[str]:
    """`store-assistant serve` on 127.0.0.1; yields its base URL once it is ready."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=found.env(),
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as client:
            for _ in range(600):
                if process.poll() is not None:
                    raise SystemExit("the service exited during start-up")
                try:
                    if (await client.get("/api/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit("the service did not become ready")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection that POSTs JSON, for load generators.

    The load generator shares the machine with the service it measures, so its own CPU
    is taken from the service: httpx spends about 3 ms of CPU per request, this client
    about a tenth of that.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self._reader = reader
        self._writer = writer
        self._host = host

    @classmethod
    async def connect(cls, base_url: str) -> KeepAliveClient:
        url = httpx.URL(base_url)
        reader, writer = await asyncio.open_connection(url.host, url.port)
        return cls(reader, writer, f"{url.host}:{url.port}")

    async def post_json(self, path: str, body: object) -> tuple[int, bytes]:
        """POST `body` as JSON; return the status code and the response body."""
        payload = json.dumps(body).encode()
        self._writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if chunked:
            raise RuntimeError("chunked responses are not expected from JSON endpoints")
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
