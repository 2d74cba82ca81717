"""Background work repeated on a clock, shared by the loops every process runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def every(
    seconds: float,
    work: Callable[[], Awaitable[object]],
    *,
    what: str,
    wait_first: bool = False,
) -> None:
    """Run `work` every `seconds` until cancelled. A failing round is logged and the next
    one runs anyway: a database or Redis blip must not end a background loop."""
    if wait_first:
        await asyncio.sleep(seconds)
    while True:
        try:
            await work()
        except Exception:
            log.exception("%s failed; retrying at the next round", what)
        await asyncio.sleep(seconds)
