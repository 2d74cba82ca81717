"""The operator console: `/console`, and the API behind it (operator token).

Agents watch conversations, read one (transcript, state, orders), write to the customer
through the conversation's channel — which pauses the bot — and hand it back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import HTMLResponse
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field

from agent.phones import mask_phone
from agent.state import cart_total
from api.channels.base import Inbound
from api.deps import AddressLimitDep, OperatorDep, RuntimeDep
from api.routes.orders import OrderOut, order_out
from api.routes.web import Said, said
from api.runtime import Runtime
from storage.models import ConversationSummary

page = APIRouter(include_in_schema=False)
router = APIRouter(tags=["operator console"], dependencies=[AddressLimitDep, OperatorDep])


class ConversationItem(BaseModel):
    conversation_id: str
    channel: str
    phone: str | None = Field(description="masked")
    name: str | None
    stage: str
    last_activity_at: datetime
    closed: bool
    paused: bool
    paused_until: datetime | None
    handoff_requested: bool
    cart_total: float


class ConversationDetail(ConversationItem):
    messages: list[Said]
    state: dict[str, Any] = Field(description="flags, language, cart and customer (masked)")
    orders: list[OrderOut]


class AgentMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4000, pattern=r"\S")


class AgentMessageOut(BaseModel):
    paused_until: datetime
    delivered: bool = Field(description="sent through the channel (False: transcript only)")


class JobItem(BaseModel):
    job_id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    counts: dict[str, int]
    created_at: datetime
    finished_at: datetime | None


_FLAGS = (
    "phone_collected",
    "customer_verified",
    "order_started",
    "order_complete",
    "checkout_pending",
    "handoff_requested",
)


def _item(summary: ConversationSummary) -> ConversationItem:
    """From the conversation's row, which every turn keeps current: no checkpoint load."""
    return ConversationItem(
        conversation_id=summary.id,
        channel=summary.channel,
        phone=mask_phone(summary.phone) if summary.phone else None,
        name=summary.name,
        stage=summary.stage,
        last_activity_at=summary.last_activity_at,
        closed=summary.closed,
        paused=summary.paused_until is not None,
        paused_until=summary.paused_until,
        handoff_requested=summary.handoff_requested,
        cart_total=float(summary.cart_total),
    )


async def _find(runtime: Runtime, conversation_id: str) -> ConversationSummary:
    for summary in await runtime.conversations.listing(limit=1, only=conversation_id):
        return summary
    raise HTTPException(status.HTTP_404_NOT_FOUND, "conversation not found")


@page.get("/console", response_class=HTMLResponse)
async def console_page() -> HTMLResponse:
    html = (resources.files("api") / "static" / "console.html").read_text(encoding="utf-8")
    return HTMLResponse(html)


@router.get("/api/console/conversations", response_model=list[ConversationItem])
async def conversations(
    runtime: RuntimeDep,
    paused: bool = False,
    handoff: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ConversationItem]:
    """Most recent first; `paused` / `handoff` keep only those."""
    listed = await runtime.conversations.listing(limit=limit, paused=paused, handoff=handoff)
    return [_item(summary) for summary in listed]


@router.get("/api/console/conversations/{conversation_id}", response_model=ConversationDetail)
async def conversation(conversation_id: str, runtime: RuntimeDep) -> ConversationDetail:
    summary = await _find(runtime, conversation_id)
    state = await runtime.turns.state_of(conversation_id)
    customer = state.get("customer")
    orders = await runtime.orders.list_for_phone(summary.phone) if summary.phone else []
    listed = _item(summary).model_dump() | {  # the checkpoint is loaded anyway: the latest
        "stage": state.get("stage", summary.stage),
        "handoff_requested": bool(state.get("handoff_requested")),
        "cart_total": float(cart_total(state.get("cart", []))),
    }
    return ConversationDetail(
        **listed,
        messages=said(state.get("messages", [])),
        state={
            "stage": state.get("stage", summary.stage),
            "language": state.get("language", "en"),
            **{flag: bool(state.get(flag)) for flag in _FLAGS},
            "cart": list(state.get("cart", [])),
            "customer": (
                {**customer, "phone": mask_phone(customer["phone"])} if customer else None
            ),
        },
        orders=[order_out(order) for order in orders],
    )


@router.post(
    "/api/console/conversations/{conversation_id}/messages", response_model=AgentMessageOut
)
async def write(conversation_id: str, body: AgentMessage, runtime: RuntimeDep) -> AgentMessageOut:
    """An agent writes to the customer: the bot pauses (HUMAN_TAKEOVER_MINUTES, extended by
    each message), the message joins the transcript and goes out through the channel."""
    summary = await _find(runtime, conversation_id)
    pause = await runtime.conversations.pause(
        conversation_id,
        minutes=runtime.settings.human_takeover_minutes,
        reason="an agent wrote from the console",
        paused_by="console",
    )
    config = {"configurable": {"thread_id": conversation_id}}
    await runtime.graph.aupdate_state(
        config,  # type: ignore[arg-type]
        {"messages": [AIMessage(body.text, name="agent")]},
        as_node="handoff",
    )
    delivered = summary.channel == "web"  # the page polls the transcript
    message_id = f"console-{uuid.uuid4().hex}"
    if summary.channel == "whatsapp" and summary.phone:
        number = summary.phone.lstrip("+")
        to = Inbound("whatsapp", number, message_id, "text", "", summary.phone, number)
        await runtime.whatsapp.say(to, body.text, conversation_id)
        delivered = True
    elif summary.channel == "supportboard" and summary.reply_address:
        to = Inbound(
            "supportboard", "", message_id, "text", "", summary.phone, summary.reply_address
        )
        await runtime.supportboard.say(to, body.text, conversation_id)
        delivered = True
    return AgentMessageOut(paused_until=pause.paused_until, delivered=delivered)


@router.get("/api/console/jobs", response_model=list[JobItem])
async def jobs(runtime: RuntimeDep) -> list[JobItem]:
    """Recent catalog ingestion jobs with their counts."""
    return [
        JobItem(
            job_id=job.id,
            status=job.status,
            counts=job.counts,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
        for job in await runtime.jobs.recent()
    ]
