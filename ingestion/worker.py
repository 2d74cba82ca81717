"""The background runner of ingestion jobs, one job at a time per process.

It wakes when this process accepts a job and polls for jobs accepted by other processes
or left behind by a crash. While it works it renews the job's lease, so no other process
takes the job over; if this process dies, the lease runs out and another one resumes it
(the delta detection makes a second pass over the same records cheap and harmless).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import asdict
from typing import Any

from ingestion.embeddings import Embedder, EmbeddingError
from ingestion.pipeline import SyncCounts, reembed_stale, sync_catalog
from storage.catalog_sync import CatalogWriter
from storage.jobs import ClaimedJob, JobRepository

log = logging.getLogger(__name__)


def payload_items(payload: Any) -> list[Any]:
    """The records of a payload: a JSON array, or an object with a `products` array."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("products"), list):
        return list(payload["products"])
    raise ValueError('expected a JSON array of products or {"products": [...]}')


class IngestWorker:
    def __init__(
        self,
        jobs: JobRepository,
        writer: CatalogWriter,
        embedder: Embedder,
        *,
        poll_seconds: float = 2.0,
        lease_seconds: int = 60,
    ) -> None:
        self._jobs = jobs
        self._writer = writer
        self._embedder = embedder
        self._poll = poll_seconds
        self._lease = lease_seconds
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """A job was just stored by this process: look now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        await self._catch_up_embeddings()
        while True:
            try:
                while await self.run_one():
                    pass
            except Exception:
                log.exception("ingest worker error; retrying at the next poll")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)

    async def run_one(self) -> bool:
        """Process one pending job; False when there was none."""
        job = await self._jobs.claim(lease_seconds=self._lease)
        if job is None:
            return False
        heartbeat = asyncio.create_task(self._renew(job))
        try:
            await self._process(job)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        return True

    async def _renew(self, job: ClaimedJob) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            await self._jobs.renew(job.id, lease_seconds=self._lease)

    async def _process(self, job: ClaimedJob) -> None:
        log.info("ingest job started", extra={"job_id": str(job.id), "attempt": job.attempts})
        try:
            items = payload_items(json.loads(job.payload))
            report = await sync_catalog(
                items,
                writer=self._writer,
                embedder=self._embedder,
                version=job.version,
                full_sync=job.full_sync,
            )
        except (EmbeddingError, ValueError) as error:
            await self._jobs.finish(
                job.id, counts=SyncCounts().as_dict(), errors=[], failure=str(error)
            )
            log.warning("ingest job failed", extra={"job_id": str(job.id), "reason": str(error)})
            return
        await self._jobs.finish(
            job.id, counts=report.counts.as_dict(), errors=[asdict(e) for e in report.errors]
        )
        log.info("ingest job done", extra={"job_id": str(job.id), **report.counts.as_dict()})

    async def _catch_up_embeddings(self) -> None:
        """After a change of embedding model, give every product a vector from the new one."""
        try:
            count = await reembed_stale(self._writer, self._embedder)
        except EmbeddingError:
            log.exception("re-embedding the catalog failed; search falls back to full text")
            return
        if count:
            log.info("catalog re-embedded", extra={"products": count, "model": self._embedder.name})
