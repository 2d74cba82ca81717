"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/api/health")
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/api/health/ready")
async def ready(runtime: RuntimeDep) -> JSONResponse:
    """PostgreSQL and Redis both answer; 503 (with Retry-After) otherwise."""
    checks = {"postgres": "ok", "redis": "ok"}
    try:
        async with runtime.pool.connection(timeout=2) as conn:
            await conn.execute("SELECT 1")
    except Exception:
        checks["postgres"] = "unavailable"
    try:
        await runtime.redis.ping()
    except Exception:
        checks["redis"] = "unavailable"
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "unavailable", "checks": checks},
        status_code=200 if ok else 503,
        headers=None if ok else {"Retry-After": "5"},
    )
