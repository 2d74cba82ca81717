"""Rate limits in Redis, shared by every process: a counter per key and minute.

A fixed one-minute window (a counter that expires a minute after its first hit) costs one
round trip and is what platform APIs themselves use. When Redis is unreachable the request
is let through: shedding abuse must not take the service down with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0
    """Seconds until the window resets (when refused)."""
    first_refusal: bool = False
    """This is the first request over the limit in the window: the one to explain."""


class RateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def hit(self, key: str, limit: int) -> Decision:
        name = f"rate:{key}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                # The window starts with the first hit (SET NX, which older Redis servers
                # support, unlike EXPIRE NX).
                pipe.set(name, 0, ex=WINDOW_SECONDS, nx=True)
                pipe.incr(name)
                pipe.ttl(name)
                _, count, ttl = await pipe.execute()
        except Exception:
            log.warning("rate limiter unavailable; request allowed", exc_info=True)
            return Decision(allowed=True)
        if count <= limit:
            return Decision(allowed=True)
        return Decision(
            allowed=False,
            retry_after=max(int(ttl), 1),
            first_refusal=count == limit + 1,
        )
