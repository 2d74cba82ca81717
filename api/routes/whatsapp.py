"""WhatsApp Cloud API webhook: subscription check, and deliveries answered at once."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import PlainTextResponse

from api.channels.whatsapp import parse, signature_valid
from api.deps import RuntimeDep, parse_json

router = APIRouter(tags=["channels"])

MAX_WEBHOOK_BYTES = 1_000_000


@router.get("/api/whatsapp/webhook", response_class=PlainTextResponse)
async def verify_subscription(
    runtime: RuntimeDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=200)] = None,
) -> str:
    """Meta's check when the webhook is registered: echo the challenge to the right token."""
    expected = runtime.settings.whatsapp_verify_token
    if (
        mode != "subscribe"
        or expected is None
        or challenge is None
        or not secrets.compare_digest((token or "").encode(), expected.get_secret_value().encode())
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "verification failed")
    return challenge


@router.post("/api/whatsapp/webhook")
async def receive(request: Request, runtime: RuntimeDep) -> dict[str, int]:
    """Verify the signature, record and queue each message, answer 200 before any turn
    runs (the platform retries slow deliveries). Statuses update delivery state."""
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "payload too large")
    secret = runtime.settings.whatsapp_app_secret
    signature = request.headers.get("x-hub-signature-256")
    if secret is None or not signature_valid(secret.get_secret_value(), body, signature):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or missing signature")
    payload = parse_json(body)
    if not isinstance(payload, dict):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "expected a JSON object")
    messages, statuses = parse(payload)
    accepted = duplicates = 0
    for message in messages:
        if await runtime.inbox.accept(message):
            accepted += 1
        else:
            duplicates += 1
    for message_id, state in statuses:
        await runtime.whatsapp.record_status(message_id, state)
    return {"accepted": accepted, "duplicates": duplicates, "statuses": len(statuses)}
