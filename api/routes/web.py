"""The web chat: `/chat`, a customer-style page, and the `web` channel behind it.

The page talks to the same agent with the same guarantees as every other channel: one
turn at a time per conversation, a message id processed once, silence while a person
handles the conversation (the page polls for what the person writes).
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from agent.messages import transcript
from agent.state import cart_total
from agent.turns import conversation_id_for
from api.deps import AddressLimitDep, RuntimeDep, limit_by_customer, phone_or_422
from api.routes.chat import CartItem, cart_items

router = APIRouter(tags=["web chat"])
CHANNEL = "web"


class WebMessage(BaseModel):
    customer_phone: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=4000, pattern=r"\S")
    message_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The page's id for this message: a resend with the same id is ignored.",
    )


class ProductCard(BaseModel):
    item_code: str
    name: str
    price: str = Field(description="price and currency, e.g. '1.60 USD'")


class Said(BaseModel):
    role: Literal["customer", "bot", "agent"]
    text: str


def said(messages: list[Any]) -> list[Said]:
    """A checkpointed transcript as the pages show it."""
    return [Said(role=role, text=text) for role, text in transcript(messages)]


class WebConversation(BaseModel):
    conversation_id: str
    stage: str
    paused: bool
    messages: list[Said]
    cart: list[CartItem]
    cart_total: float


class WebReply(WebConversation):
    reply: str
    products: list[ProductCard]
    duplicate: bool = False


async def _conversation(runtime: RuntimeDep, phone: str) -> WebConversation:
    conversation_id = conversation_id_for(CHANNEL, phone)
    state = await runtime.turns.state_of(conversation_id)
    cart = list(state.get("cart", []))
    pause = await runtime.services.conversations.active_pause(conversation_id)
    return WebConversation(
        conversation_id=conversation_id,
        stage=state.get("stage", "greeting"),
        paused=pause is not None,
        messages=said(state.get("messages", [])),
        cart=cart_items(cart),
        cart_total=float(cart_total(cart)),
    )


@router.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    """The service opens on the web chat."""
    return RedirectResponse("/chat")


@router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
async def chat_page() -> HTMLResponse:
    page = (resources.files("api") / "static" / "chat.html").read_text(encoding="utf-8")
    return HTMLResponse(page)


@router.post("/api/web/messages", response_model=WebReply, dependencies=[AddressLimitDep])
async def send_message(body: WebMessage, runtime: RuntimeDep) -> WebReply:
    """One customer message from the page; the answer, the cart and product cards."""
    phone = phone_or_422(body.customer_phone, runtime, where=("body", "customer_phone"))
    await limit_by_customer(phone, runtime)
    conversation_id = conversation_id_for(CHANNEL, phone)
    if body.message_id and not await runtime.conversations.accept_message(
        CHANNEL, body.message_id, conversation_id
    ):
        current = await _conversation(runtime, phone)
        return WebReply(**current.model_dump(), reply="", products=[], duplicate=True)
    result = await runtime.turns.run(
        channel=CHANNEL,
        identity=phone,
        text=body.text,
        customer_phone=phone,
        message_id=body.message_id,
    )
    current = await _conversation(runtime, phone)
    return WebReply(
        **current.model_dump(),
        reply=result.reply,
        products=[
            ProductCard(item_code=p.id, name=p.title, price=p.description) for p in result.products
        ],
    )


@router.get("/api/web/messages", response_model=WebConversation, dependencies=[AddressLimitDep])
async def conversation(
    runtime: RuntimeDep, customer_phone: Annotated[str, Query(min_length=1, max_length=40)]
) -> WebConversation:
    """The conversation so far (the page polls it for what a person writes)."""
    phone = phone_or_422(customer_phone, runtime, where=("query", "customer_phone"))
    return await _conversation(runtime, phone)
