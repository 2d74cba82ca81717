"""From a webhook delivery to one answered turn: exactly once, in order, one turn per burst.

`accept` runs in the webhook request and returns at once: a message id seen before is
dropped (Redis with a TTL for speed, the `processed_messages` row as the truth), and a new
message is queued in Redis for its conversation with a burst deadline. After the deadline
(`BURST_WINDOW_MS` since the conversation's latest message), whichever process holds the
conversation's lock drains the queue and runs one turn over all of it. Queues left behind
by a process that died are picked up by the sweeper of any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Coroutine
from dataclasses import asdict
from typing import Any

from prometheus_client import Counter
from redis.asyncio import Redis

from agent.language import Language
from agent.speech.turn import speak_or_none
from agent.speech.voice import Voice
from agent.turns import TurnRunner, conversation_id_for
from api.channels.base import Channel, Inbound
from api.periodic import every
from api.ratelimit import RateLimiter
from storage.conversations import ConversationRepository

log = logging.getLogger(__name__)

SEEN_TTL_SECONDS = 7 * 24 * 3600
MAX_TURN_ATTEMPTS = 5
DUPLICATES = Counter(
    "store_assistant_webhook_duplicates", "Redelivered messages dropped", ["channel"]
)
RATE_LIMITED = Counter(
    "store_assistant_rate_limited", "Chat messages shed by the per-customer limit", ["channel"]
)
_PENDING = "inbox:pending"


class Inbox:
    def __init__(
        self,
        redis: Redis,
        turns: TurnRunner,
        conversations: ConversationRepository,
        channels: dict[str, Channel],
        *,
        burst_ms: int = 1500,
        max_concurrent_turns: int = 4,
        limiter: RateLimiter | None = None,
        per_customer_limit: int = 20,
        voice: Voice | None = None,
        voice_replies: bool = False,
        max_audio_bytes: int = 16_000_000,
    ) -> None:
        self._voice = voice
        self._voice_replies = voice_replies
        self._max_audio_bytes = max_audio_bytes
        self._redis = redis
        self._limiter = limiter
        self._per_customer = per_customer_limit
        self._turns = turns
        self._conversations = conversations
        self._channels = channels
        self._burst_ms = burst_ms
        self._tasks: set[asyncio.Task[None]] = set()
        # Turns are CPU work in this event loop; bounding them keeps webhook answers fast
        # under a flood (the backlog waits in Redis, where it is safe).
        self._turn_slots = asyncio.Semaphore(max_concurrent_turns)

    async def accept(self, message: Inbound) -> bool:
        """Queue a new message for its turn; False for a redelivery (already accepted)."""
        conversation_id = conversation_id_for(message.channel, message.identity)
        seen = f"seen:{message.channel}:{message.message_id}"
        if not await self._redis.set(seen, 1, nx=True, ex=SEEN_TTL_SECONDS):
            DUPLICATES.labels(channel=message.channel).inc()
            return False
        if not await self._conversations.accept_message(
            message.channel, message.message_id, conversation_id, message.reply_address or None
        ):
            DUPLICATES.labels(channel=message.channel).inc()
            return False  # Redis forgot it (a restart); the database did not
        if self._limiter is not None:
            decision = await self._limiter.hit(
                f"customer:{message.customer_phone or message.identity}", self._per_customer
            )
            if not decision.allowed:
                RATE_LIMITED.labels(channel=message.channel).inc()
                # Shed it; the first message over the limit gets one polite notice.
                if decision.first_refusal:
                    self._track(self._notify_too_fast(conversation_id, message))
                return True
        deadline = int(time.time() * 1000) + self._burst_ms
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.rpush(f"inbox:{conversation_id}", json.dumps(asdict(message)))
                pipe.set(f"burst:{conversation_id}", deadline, px=max(self._burst_ms * 20, 1000))
                pipe.zadd(_PENDING, {conversation_id: deadline})
                await pipe.execute()
        except Exception:
            # Not queued: forget it, so the platform's retry of this delivery is answered.
            await self._conversations.forget_message(message.channel, message.message_id)
            with contextlib.suppress(Exception):
                await self._redis.delete(seen)
            raise
        self._schedule(conversation_id, self._burst_ms / 1000)
        return True

    def _schedule(self, conversation_id: str, delay: float) -> None:
        self._track(self._flush_later(conversation_id, delay))

    def _track(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify_too_fast(self, conversation_id: str, message: Inbound) -> None:
        try:
            notice = await self._turns.say_only(conversation_id, "too_many_messages")
            if notice.reply:  # empty while a person is answering
                await self._channels[message.channel].say(message, notice.reply, conversation_id)
        except Exception:
            log.exception("rate-limit notice failed", extra={"conversation_id": conversation_id})

    async def _flush_later(self, conversation_id: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            await self.flush(conversation_id)
        except Exception as error:
            log.exception("turn failed", extra={"conversation_id": conversation_id})
            with contextlib.suppress(Exception):
                await self._conversations.record_error(
                    "turn", conversation_id, type(error).__name__
                )

    async def flush(self, conversation_id: str) -> bool:
        """Answer the conversation's queued burst once its window has closed; False when
        the window is still open or another process already answered it."""
        raw = await self._redis.get(f"burst:{conversation_id}")
        remaining = (int(raw) - int(time.time() * 1000)) / 1000 if raw else 0.0
        if remaining > 0:
            self._schedule(conversation_id, remaining)  # a newer message extended it
            return False
        async with self._turn_slots, self._turns.lock(conversation_id):
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lrange(f"inbox:{conversation_id}", 0, -1)
                pipe.delete(f"inbox:{conversation_id}")
                pipe.zrem(_PENDING, conversation_id)
                queued, _, _ = await pipe.execute()
            if not queued:
                return False
            burst = [Inbound(**json.loads(item)) for item in queued]
            await self._answer(conversation_id, burst, queued)
        return True

    async def _requeue(self, conversation_id: str, queued: list[Any]) -> None:
        """Put a burst whose turn failed back at the head of its queue, to be retried by
        the sweeper with a growing delay; after MAX_TURN_ATTEMPTS it is given up (and
        counted as an error). A retry is safe: the failed turn wrote no checkpoint, and an
        order it placed is found again by its message id rather than placed twice."""
        attempts = int(await self._redis.incr(f"attempts:{conversation_id}"))
        await self._redis.expire(f"attempts:{conversation_id}", 3600)
        if attempts >= MAX_TURN_ATTEMPTS:
            await self._redis.delete(f"attempts:{conversation_id}")
            log.error(
                "turn given up after retries",
                extra={"conversation_id": conversation_id, "attempts": attempts},
            )
            return
        retry_at = int(time.time() * 1000) + 1000 * 2**attempts
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(f"inbox:{conversation_id}", *reversed(queued))
            pipe.zadd(_PENDING, {conversation_id: retry_at})
            await pipe.execute()

    async def _answer(self, conversation_id: str, burst: list[Inbound], queued: list[Any]) -> None:
        last = burst[-1]
        channel = self._channels[last.channel]
        try:
            texts, spoken, refusal = await self._read(conversation_id, burst, channel)
            if not texts:
                key, values = refusal or ("unsupported_message", {})
                notice = await self._turns.say_only(conversation_id, key, **values)
                if notice.reply:
                    await channel.say(last, notice.reply, conversation_id)
                return
            result = await self._turns.run_locked(
                conversation_id=conversation_id,
                channel=last.channel,
                text="\n".join(texts),
                customer_phone=last.customer_phone,
                message_id=last.message_id,
                spoken=spoken,
            )
        except Exception:
            with contextlib.suppress(Exception):
                await self._requeue(conversation_id, queued)
            raise
        with contextlib.suppress(Exception):
            await self._redis.delete(f"attempts:{conversation_id}")
        await channel.deliver(last, result, conversation_id)
        if spoken and self._voice_replies and self._voice is not None:
            audio = await speak_or_none(self._voice, result, "ogg")
            if audio is not None:
                await channel.send_voice(last, audio, conversation_id)

    async def _read(
        self, conversation_id: str, burst: list[Inbound], channel: Channel
    ) -> tuple[list[str], bool, tuple[str, dict[str, str]] | None]:
        """The burst as text: written messages as they are, voice notes transcribed (and
        the transcript kept with the message). Returns (texts, any voice note heard, why
        the last unheard note was not heard)."""
        texts: list[str] = []
        spoken = False
        refusal: tuple[str, dict[str, str]] | None = None
        language: Language | None = None
        for message in burst:
            if message.kind == "text" and message.text.strip():
                texts.append(message.text)
                continue
            if message.kind != "audio":
                continue
            if self._voice is None:
                refusal = ("please_write", {})
                continue
            if language is None:
                language = (await self._turns.state_of(conversation_id)).get("language", "en")
            data = await channel.fetch_audio(message, self._max_audio_bytes)
            if data is None:
                refusal = ("voice_not_audio", {})
                continue
            heard = await self._voice.hear(data, language or "en")
            if heard.refusal is not None:
                refusal = (heard.refusal, heard.values)
                continue
            await self._conversations.record_transcript(
                message.channel, message.message_id, heard.transcript
            )
            texts.append(heard.transcript)
            spoken = True
        return texts, spoken, refusal

    async def sweep(self) -> int:
        """Answer bursts whose window closed long ago but were never answered (their
        process died). Returns how many were found."""
        stale = int(time.time() * 1000) - self._burst_ms * 3
        conversation_ids = await self._redis.zrangebyscore(_PENDING, 0, stale)
        for raw in conversation_ids:
            await self.flush(raw.decode() if isinstance(raw, bytes) else str(raw))
        return len(conversation_ids)

    async def run_sweeper(self, every_seconds: float = 5.0) -> None:
        await every(every_seconds, self.sweep, what="inbox sweep", wait_first=True)

    async def drain(self) -> None:
        """Wait for the turns this process has scheduled (tests, graceful shutdown)."""
        while self._tasks:
            with contextlib.suppress(Exception):
                await asyncio.gather(*list(self._tasks))
