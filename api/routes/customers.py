"""Operator API: customers by phone, and resuming a paused conversation."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from api.deps import AddressLimitDep, OperatorDep, RuntimeDep, phone_or_422
from storage.conversations import ConversationRepository

router = APIRouter(tags=["operator"], dependencies=[AddressLimitDep, OperatorDep])


class CustomerBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=500)


class CustomerOut(BaseModel):
    phone: str
    name: str
    address: str


@router.put("/api/customers/{phone}", response_model=CustomerOut)
async def save_customer(phone: str, body: CustomerBody, runtime: RuntimeDep) -> CustomerOut:
    """Create the customer, or update their name and address."""
    number = phone_or_422(phone, runtime, where=("path", "phone"))
    customer = await runtime.services.customers.save(
        number, body.name.strip(), body.address.strip()
    )
    return CustomerOut(phone=customer.phone, name=customer.name, address=customer.address)


@router.get("/api/customers/{phone}", response_model=CustomerOut)
async def get_customer(phone: str, runtime: RuntimeDep) -> CustomerOut:
    number = phone_or_422(phone, runtime, where=("path", "phone"))
    customer = await runtime.services.customers.get_by_phone(number)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "customer not found")
    return CustomerOut(phone=customer.phone, name=customer.name, address=customer.address)


class PauseOut(BaseModel):
    conversation_id: str
    channel: str
    paused_by: str = Field(description='"customer" (asked for a person) or "agent:<id>"')
    reason: str
    paused_until: datetime


@router.get("/api/conversations/paused", response_model=list[PauseOut])
async def paused_conversations(runtime: RuntimeDep) -> list[PauseOut]:
    """Where a person is handling the customer, with who paused the bot and until when."""
    repository = ConversationRepository(runtime.pool)
    return [
        PauseOut(
            conversation_id=cid,
            channel=channel,
            paused_by=pause.paused_by,
            reason=pause.reason,
            paused_until=pause.paused_until,
        )
        for cid, channel, pause in await repository.paused()
    ]


class ResumeOut(BaseModel):
    conversation_id: str
    resumed: bool = Field(description="False when the conversation was not paused.")


@router.post("/api/conversations/{conversation_id}/resume", response_model=ResumeOut)
async def resume_conversation(conversation_id: str, runtime: RuntimeDep) -> ResumeOut:
    """End a pause now: the bot answers the customer's next message."""
    conversations = runtime.services.conversations
    if not await conversations.exists(conversation_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "conversation not found")
    resumed = await conversations.resume(conversation_id)
    return ResumeOut(conversation_id=conversation_id, resumed=resumed)
