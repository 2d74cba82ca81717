"""The embedded servers survive a crashed app and stop when the last user leaves."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from storage.embedded import EmbeddedPostgres, EmbeddedRedis

pytestmark = pytest.mark.integration


def _postgres_running(pg_dir: Path) -> bool:
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if cmdline and cmdline[0].endswith("postgres") and str(pg_dir) in " ".join(cmdline):
            return True
    return False


def test_after_a_crash_the_next_start_reuses_the_server_and_a_clean_stop_ends_it(
    tmp_path: Path,
) -> None:
    crash = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from storage.embedded import EmbeddedPostgres, EmbeddedRedis
        EmbeddedPostgres.start(Path({str(tmp_path)!r}))
        EmbeddedRedis.start(Path({str(tmp_path)!r}))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    subprocess.run([sys.executable, "-c", crash], check=False, timeout=120)
    pg_dir = (tmp_path / "postgres").resolve()
    assert _postgres_running(pg_dir), "a killed app leaves its server running"

    postgres = EmbeddedPostgres.start(tmp_path)
    redis = EmbeddedRedis.start(tmp_path)
    assert "postgres" in postgres.psql_version()
    assert redis.client.ping()
    redis.stop()
    postgres.stop()
    assert not _postgres_running(pg_dir), "the clean stop ends the server despite the crash"
