"""Shared by the benchmarks: embedded servers, and the service as a real process."""

from __future__ import annotations

import asyncio
import os
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
