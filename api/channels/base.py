"""What every chat channel shares: the inbound message, and sending with retries."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import httpx
from prometheus_client import Counter
from redis.asyncio import Redis

from agent.turns import TurnResult
from storage.conversations import ConversationRepository

log = logging.getLogger(__name__)

InboundKind = Literal["text", "audio", "unsupported"]


@dataclass(frozen=True, slots=True)
class Inbound:
    """One customer message as a channel delivered it."""

    channel: str
    identity: str
    """Who writes, as the channel knows them (a WhatsApp id, a Support Board user)."""
    message_id: str
    kind: InboundKind
    text: str = ""
    customer_phone: str | None = None
    reply_address: str = ""
    """Where answers go (the WhatsApp number, the Support Board conversation)."""
    media_id: str = ""
    """The platform's id of a voice note's audio (kind "audio")."""


class Channel(Protocol):
    name: str

    async def deliver(self, to: Inbound, result: TurnResult, conversation_id: str) -> None:
        """Send the turn's answer back to the customer."""
        ...

    async def say(self, to: Inbound, text: str, conversation_id: str) -> None:
        """Send a plain text (notices such as "please write")."""
        ...

    async def fetch_audio(self, message: Inbound, max_bytes: int) -> bytes | None:
        """A voice note's audio; None when it cannot be had (expired, too big, no media)."""
        ...

    async def send_voice(self, to: Inbound, audio: bytes, conversation_id: str) -> None:
        """Send an OGG/Opus voice note."""
        ...


class SendFailed(Exception):
    """A send that failed after every retry."""


async def send_with_retry(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
) -> httpx.Response:
    """Retry 429, 5xx and network errors with exponential backoff and jitter, honouring
    the platform's Retry-After. Any other answer is final."""
    last: str = ""
    for attempt in range(1, attempts + 1):
        try:
            response = await send()
        except httpx.TransportError as error:
            last = f"{type(error).__name__}: {error}"
            wait = None
        else:
            if response.is_success:
                return response
            last = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code != 429 and response.status_code < 500:
                raise SendFailed(last)
            retry_after = response.headers.get("retry-after", "")
            wait = float(retry_after) if retry_after.isdigit() else None
        if attempt == attempts:
            break
        delay = wait if wait is not None else min(base_delay * 2 ** (attempt - 1), max_delay)
        await asyncio.sleep(min(delay, max_delay) * random.uniform(0.5, 1.0))  # noqa: S311
    raise SendFailed(last)


class SendRate:
    """A per-second send budget shared by every process (a Redis counter per second):
    platforms throttle a sender that goes faster (WhatsApp: 80 messages/s per number)."""

    def __init__(self, redis: Redis, key: str, per_second: int) -> None:
        self._redis = redis
        self._key = key
        self._per_second = per_second

    async def acquire(self) -> float:
        """Wait for a slot; returns how long it waited, in seconds."""
        waited = 0.0
        while True:
            now = time.time()
            second = int(now)
            counter = f"send-rate:{self._key}:{second}"
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(counter)
                pipe.expire(counter, 5)
                used, _ = await pipe.execute()
            if int(used) <= self._per_second:
                return waited
            pause = second + 1 - now
            waited += pause
            await asyncio.sleep(pause)


SENDS_FAILED = Counter(
    "store_assistant_sends_failed", "Outbound messages that finally failed", ["channel"]
)


async def record_failed_send(
    conversations: ConversationRepository,
    channel: str,
    conversation_id: str,
    reply_to: str | None,
    error: str,
) -> None:
    """A send that finally failed: counted, and recorded for the stats."""
    SENDS_FAILED.labels(channel=channel).inc()
    await conversations.record_send_failure(channel, conversation_id, reply_to, error)
