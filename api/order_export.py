"""Delivers order events from the outbox to the store's back office (ORDER_WEBHOOK_URL).

Each event is POSTed as JSON with an `Idempotency-Key` header (the order number and event),
and an `X-Signature-256` HMAC of the body when ORDER_WEBHOOK_SECRET is set. Failures are
retried with exponential backoff and jitter; after ORDER_EXPORT_MAX_ATTEMPTS the event is
dead-lettered (visible in `GET /api/outbox?status=dead`) and the next one goes out.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random

import httpx

from storage.orders import OrderRepository, OutboxEvent

log = logging.getLogger(__name__)


class OrderExporter:
    def __init__(
        self,
        orders: OrderRepository,
        client: httpx.AsyncClient,
        url: str | None,
        *,
        secret: str | None = None,
        max_attempts: int = 8,
        poll_seconds: float = 2.0,
        base_delay: float = 1.0,
    ) -> None:
        self._orders = orders
        self._client = client
        self._url = url
        self._secret = secret
        self._max_attempts = max_attempts
        self._poll = poll_seconds
        self._base_delay = base_delay
        self._wake = asyncio.Event()
        self._stopping = False

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the delivery in progress, then return from `run` (graceful shutdown)."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        if not self._url:
            return  # orders stay in the operator API only
        while not self._stopping:
            try:
                while not self._stopping and await self.deliver_one():
                    pass
            except Exception:
                log.exception("order export error; retrying at the next poll")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)

    async def deliver_one(self) -> bool:
        if not self._url:
            return False
        return await self._orders.deliver_next(self._send, self._retry_in)

    def _retry_in(self, attempts: int) -> float | None:
        if attempts >= self._max_attempts:
            return None
        delay: float = min(self._base_delay * 2 ** (attempts - 1), 300.0)
        return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not secrecy

    async def _send(self, event: OutboxEvent) -> str | None:
        assert self._url is not None
        body = json.dumps({"event": event.event, "order": event.payload}).encode()
        headers = {"content-type": "application/json", "idempotency-key": event.idempotency_key}
        if self._secret:
            digest = hmac.new(self._secret.encode(), body, hashlib.sha256).hexdigest()
            headers["x-signature-256"] = f"sha256={digest}"
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as error:
            log.warning(
                "order export failed",
                extra={"event": event.idempotency_key, "error": type(error).__name__},
            )
            return f"{type(error).__name__}: {error}"
        if response.is_success:
            return None
        log.warning(
            "order export refused",
            extra={"event": event.idempotency_key, "status": response.status_code},
        )
        return f"HTTP {response.status_code}"
