"""`serve --workers 2` on the embedded defaults: both workers share one PostgreSQL and one
Redis started by the parent, metrics add up across them, and SIGTERM stops everything."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from tests.processes import free_port, ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "workers-token"


def _servers_under(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(data_dir) in cmdline and ("postgres" in cmdline or "redis" in cmdline):
            found.append(process)
    return found


def _command(process: psutil.Process) -> str:
    """A child's command line; "" for one that has just exited (a zombie not yet reaped
    by its parent has no command line to read)."""
    try:
        return " ".join(process.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return ""


def _serve_two_workers(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_two_workers_share_the_embedded_servers_and_stop_cleanly(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update({"DATA_DIR": str(tmp_path), "ADMIN_API_TOKEN": TOKEN, "LOG_LEVEL": "WARNING"})
    port = free_port()
    parent = _serve_two_workers(port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        await ready(base, seconds=120)
        commands = [_command(child) for child in psutil.Process(parent.pid).children(True)]
        assert sum("api.cli" in c or "multiprocessing" in c for c in commands) >= 2
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            phones = [f"+1555011{n:04d}" for n in range(10)]
            replies = await asyncio.gather(
                *(
                    client.post(
                        "/api/chatbot/process",
                        json={"customer_phone": phone, "user_input": text},
                    )
                    for phone in phones
                    for text in ("hello",)
                )
            )
            assert [r.status_code for r in replies] == [200] * len(phones)
            for _ in range(3):  # whichever worker answers, the figures are the sum
                metrics = (await client.get("/metrics")).text
                line = next(
                    x
                    for x in metrics.splitlines()
                    if x.startswith(
                        'store_assistant_turns_total{channel="rest",outcome="answered"}'
                    )
                )
                assert float(line.rsplit(" ", 1)[1]) == len(phones)
        assert _servers_under(tmp_path)  # the embedded servers run under DATA_DIR
    finally:
        parent.terminate()
        assert parent.wait(timeout=60) == 0
    for _ in range(50):
        if not _servers_under(tmp_path):
            break
        await asyncio.sleep(0.2)
    assert _servers_under(tmp_path) == []
