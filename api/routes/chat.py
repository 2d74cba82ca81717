"""POST /api/chatbot/process: one customer message in, the assistant's answer out."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, field_validator

from agent.state import CartLine
from api.deps import AddressLimitDep, RuntimeDep, limit_by_customer, phone_or_422

router = APIRouter(tags=["chat"], dependencies=[AddressLimitDep])

CHANNEL_NAME = r"^[a-z][a-z0-9_-]{0,31}$"
"""What a client may name its channel (part of the conversation's id)."""


class ChatRequest(BaseModel):
    customer_phone: str = Field(
        min_length=1, max_length=40, description="The customer's phone, ideally E.164."
    )
    user_input: str = Field(min_length=1, description="What the customer wrote.")
    channel: str = Field(default="rest", pattern=CHANNEL_NAME, description="The channel name.")

    @field_validator("user_input")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("user_input must not be blank")
        return value


class CartItem(BaseModel):
    item_code: str
    name: str
    quantity: float
    unit_price: float


class ChatResponse(BaseModel):
    reply: str = Field(description="The answer; empty while a person handles the conversation.")
    conversation_id: str
    stage: Literal["greeting", "verification", "ordering", "handoff"]
    cart: list[CartItem]
    paused: bool


def cart_items(lines: list[CartLine]) -> list[CartItem]:
    return [
        CartItem(
            item_code=line["item_code"],
            name=line["name"],
            quantity=float(line["quantity"]),
            unit_price=float(line["unit_price"]),
        )
        for line in lines
    ]


@router.post("/api/chatbot/process", response_model=ChatResponse)
async def process_message(body: ChatRequest, runtime: RuntimeDep) -> ChatResponse:
    settings = runtime.settings
    if len(body.user_input) > settings.max_message_chars:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"user_input is longer than {settings.max_message_chars} characters",
        )
    phone = phone_or_422(body.customer_phone, runtime, where=("body", "customer_phone"))
    await limit_by_customer(phone, runtime)
    result = await runtime.turns.run(
        channel=body.channel, identity=phone, text=body.user_input, customer_phone=phone
    )
    return ChatResponse(
        reply=result.reply,
        conversation_id=result.conversation_id,
        stage=result.stage,
        cart=cart_items(result.cart),
        paused=result.paused,
    )
