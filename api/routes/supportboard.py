"""Support Board's `message-sent` webhook: customers are answered, agents take over."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from agent.turns import conversation_id_for
from api.channels.supportboard import classify, parse, secret_valid
from api.deps import RuntimeDep, parse_json

router = APIRouter(tags=["channels"])

MAX_WEBHOOK_BYTES = 1_000_000


def _authentic(request: Request, body: bytes, secret: str) -> bool:
    """The shared secret as a token (header or query) or as an HMAC-SHA256 of the body."""
    token = request.headers.get("x-webhook-token") or request.query_params.get("token")
    if token is not None:
        return secret_valid(secret, token)
    signature = request.headers.get("x-sb-signature", "")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(signature.encode(), expected.encode())


@router.post("/api/sb-webhook")
async def receive(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "payload too large")
    settings = runtime.settings
    secret = settings.support_board_webhook_secret
    if secret is None or not _authentic(request, body, secret.get_secret_value()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or missing webhook secret")
    payload = parse_json(body)
    if not isinstance(payload, dict) or payload.get("function") != "message-sent":
        return {"handled": "ignored"}
    data = payload.get("data")
    if not isinstance(data, dict):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "data must be an object")
    sender = classify(data, settings.support_board_bot_user_id, settings.agent_ids)
    if sender == "bot":
        return {"handled": "echo"}
    customer = str(data.get("conversation_user_id", "")).strip()
    if not customer:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "data.conversation_user_id is required"
        )
    conversation_id = conversation_id_for("supportboard", customer)
    conversations = runtime.services.conversations
    if sender == "agent":
        await conversations.record_activity(conversation_id, "supportboard")
        pause = await conversations.pause(
            conversation_id,
            minutes=settings.human_takeover_minutes,
            reason="a human agent replied",
            paused_by=f"agent:{data.get('user_id', '')}",
        )
        return {"handled": "takeover", "paused_until": pause.paused_until.isoformat()}
    message = parse(data)
    if message is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "data.conversation_id and data.message_id are required",
        )
    phone = await runtime.supportboard.customer_phone(customer)
    if phone:
        message = replace(message, customer_phone=phone)
    accepted = await runtime.inbox.accept(message)
    return {"handled": "queued" if accepted else "duplicate"}
