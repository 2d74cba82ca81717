"""GET /api/deployment/stats: what the deployment is doing, from the database, so every
process answers the same."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from agent.phones import mask_phone
from api.deps import AddressLimitDep, OperatorDep, RuntimeDep

router = APIRouter(tags=["operator"], dependencies=[AddressLimitDep, OperatorDep])


class StatCounts(BaseModel):
    total_conversations: int
    active_conversations: int = Field(description="open, with activity within MAX_CONVERSATION_AGE")
    completed_conversations: int = Field(description="closed after inactivity")
    paused_conversations: int = Field(description="a person is handling them")
    orders_today: int
    errors: int = Field(description="failed turns and sends in the last 24 hours")


class ActiveConversationOut(BaseModel):
    conversation_id: str
    channel: str
    phone: str | None = Field(description="masked")
    stage: str
    idle_seconds: float


class StatsOut(BaseModel):
    status: Literal["ok"]
    uptime: float = Field(description="seconds since this process started")
    stats: StatCounts
    active_conversations: list[ActiveConversationOut]
    timestamp: datetime


@router.get("/api/deployment/stats", response_model=StatsOut)
async def deployment_stats(runtime: RuntimeDep) -> StatsOut:
    stats = await runtime.housekeeping.stats(
        max_conversation_age=timedelta(seconds=runtime.settings.max_conversation_age)
    )
    return StatsOut(
        status="ok",
        uptime=round(time.time() - runtime.started_at, 3),
        stats=StatCounts(
            total_conversations=stats.total_conversations,
            active_conversations=stats.active_conversations,
            completed_conversations=stats.completed_conversations,
            paused_conversations=stats.paused_conversations,
            orders_today=stats.orders_today,
            errors=stats.errors,
        ),
        active_conversations=[
            ActiveConversationOut(
                conversation_id=c.id,
                channel=c.channel,
                phone=mask_phone(c.phone) if c.phone else None,
                stage=c.stage,
                idle_seconds=round(c.last_activity_age_seconds, 1),
            )
            for c in stats.active
        ],
        timestamp=datetime.now(UTC),
    )
