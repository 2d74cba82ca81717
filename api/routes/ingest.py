"""The inventory fetcher's endpoint, and the status of what it sent."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel

from api.deps import (
    AddressLimitDep,
    RuntimeDep,
    parse_json,
    read_body,
    require_receiver,
    require_receiver_or_operator,
)
from api.runtime import now_version
from ingestion.formats import RecordError
from ingestion.pipeline import SyncCounts
from ingestion.worker import payload_items

router = APIRouter(tags=["ingestion"])


class JobAccepted(BaseModel):
    job_id: uuid.UUID


class JobOut(BaseModel):
    job_id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    counts: SyncCounts
    errors: list[RecordError]
    failure: str | None = None


def _version(sequence: int | None, payload: object) -> int:
    """The snapshot's version: `sequence` (query or body), else `timestamp` (ms), else now."""
    if sequence is not None:
        return sequence
    if isinstance(payload, dict):
        for key in ("sequence", "timestamp"):
            value = payload.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
    return now_version()


@router.post(
    "/api/receive-products",
    max_body_size=2**40,  # bounded by MAX_INGEST_BYTES as the body streams in
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    dependencies=[Depends(require_receiver)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "array", "items": {"type": "object"}},
                            {
                                "type": "object",
                                "properties": {
                                    "products": {"type": "array", "items": {"type": "object"}},
                                    "sequence": {"type": "integer"},
                                },
                            },
                        ]
                    }
                }
            },
        }
    },
)
async def receive_products(
    request: Request,
    runtime: RuntimeDep,
    full_sync: Annotated[bool, Query(description="absent products become inactive")] = False,
    sequence: Annotated[int | None, Query(ge=0, description="snapshot version")] = None,
) -> JobAccepted:
    """Accept a catalog snapshot (whole or partial) in the fetcher or canonical format.

    The job is stored before this answers, then processed in the background; poll
    `GET /api/ingest/jobs/{job_id}`.
    """
    body = await read_body(request, runtime.settings.max_ingest_bytes)
    payload = parse_json(body)
    try:
        items = payload_items(payload)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    job_id = await runtime.jobs.create(
        source="api",
        full_sync=full_sync,
        version=_version(sequence, payload),
        payload=json.dumps(items, ensure_ascii=False),
    )
    runtime.worker.notify()
    return JobAccepted(job_id=job_id)


@router.get(
    "/api/ingest/jobs/{job_id}",
    response_model=JobOut,
    dependencies=[AddressLimitDep, Depends(require_receiver_or_operator)],
)
async def ingest_job(job_id: uuid.UUID, runtime: RuntimeDep) -> JobOut:
    job = await runtime.jobs.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "job not found")
    return JobOut(
        job_id=job.id,
        status=job.status,
        counts=SyncCounts(**job.counts),
        errors=[RecordError(**e) for e in job.errors],
        failure=job.failure,
    )
