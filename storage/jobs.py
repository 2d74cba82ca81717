"""Durable ingestion jobs: stored before the API answers, claimed by one worker at a time.

A claim is a lease: the worker renews it while it works, and a job whose lease ran out
(its process died) is claimed again. SKIP LOCKED keeps two processes off one job.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.db import Pool


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: uuid.UUID
    full_sync: bool
    version: int
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class JobStatus:
    id: uuid.UUID
    status: str
    counts: dict[str, int]
    errors: list[dict[str, Any]]
    failure: str | None
    created_at: datetime
    finished_at: datetime | None
    full_sync: bool = False
    source: str = "api"


class JobRepository:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def create(
        self, *, source: str, full_sync: bool, version: int, payload: str
    ) -> uuid.UUID:
        job_id = uuid.uuid4()
        async with self._pool.connection() as conn:
            await conn.execute(
                """
                INSERT INTO ingest_jobs (id, source, full_sync, version, payload)
                VALUES (%(id)s, %(source)s, %(full_sync)s, %(version)s, %(payload)s)
                """,
                {
                    "id": job_id,
                    "source": source,
                    "full_sync": full_sync,
                    "version": version,
                    "payload": payload,
                },
            )
        return job_id

    async def claim(self, *, lease_seconds: int, max_attempts: int = 3) -> ClaimedJob | None:
        """Take the oldest queued job, or one whose worker stopped renewing its lease."""
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute(
                """
                UPDATE ingest_jobs SET status = 'failed', finished_at = now(),
                    failure = 'gave up after ' || attempts || ' interrupted attempts'
                WHERE status = 'running' AND lease_until < now() AND attempts >= %(max)s
                """,
                {"max": max_attempts},
            )
            cursor = await conn.execute(
                """
                UPDATE ingest_jobs SET status = 'running', attempts = attempts + 1,
                    lease_until = now() + %(lease)s, started_at = coalesce(started_at, now())
                WHERE id = (
                    SELECT id FROM ingest_jobs
                    WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
                    ORDER BY created_at
                    FOR UPDATE SKIP LOCKED
                    LIMIT 1
                )
                RETURNING id, full_sync, version, payload, attempts
                """,
                {"lease": timedelta(seconds=lease_seconds)},
            )
            row = await cursor.fetchone()
        if row is None:
            return None
        return ClaimedJob(
            row["id"], row["full_sync"], row["version"], row["payload"], row["attempts"]
        )

    async def renew(self, job_id: uuid.UUID, *, lease_seconds: int) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                """
                UPDATE ingest_jobs SET lease_until = now() + %(lease)s
                WHERE id = %(id)s AND status = 'running'
                """,
                {"id": job_id, "lease": timedelta(seconds=lease_seconds)},
            )

    async def finish(
        self,
        job_id: uuid.UUID,
        *,
        counts: dict[str, int],
        errors: list[dict[str, Any]],
        failure: str | None = None,
    ) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                """
                UPDATE ingest_jobs
                SET status = %(status)s, counts = %(counts)s, errors = %(errors)s,
                    failure = %(failure)s, finished_at = now(), lease_until = NULL,
                    payload = CASE WHEN %(status)s = 'done' THEN '' ELSE payload END
                WHERE id = %(id)s
                """,
                {
                    "id": job_id,
                    "status": "failed" if failure else "done",
                    "counts": json.dumps(counts),
                    "errors": json.dumps(errors),
                    "failure": failure,
                },
            )

    async def get(self, job_id: uuid.UUID) -> JobStatus | None:
        found = await self._select("WHERE id = %(id)s", {"id": job_id, "limit": 1})
        return found[0] if found else None

    async def recent(self, limit: int = 20) -> list[JobStatus]:
        """The latest jobs, newest first (the operator console shows them)."""
        return await self._select("ORDER BY created_at DESC", {"limit": limit})

    async def _select(self, where: str, params: dict[str, Any]) -> list[JobStatus]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                f"""
                SELECT id, status, counts, errors, failure, created_at, finished_at,
                       full_sync, source
                FROM ingest_jobs {where} LIMIT %(limit)s
                """,  # noqa: S608 - only constant SQL is interpolated
                params,
            )
            rows = await cursor.fetchall()
        return [
            JobStatus(
                row["id"],
                row["status"],
                row["counts"],
                row["errors"],
                row["failure"],
                row["created_at"],
                row["finished_at"],
                row["full_sync"],
                row["source"],
            )
            for row in rows
        ]
