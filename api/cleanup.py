"""The cleanup loop: close idle conversations and prune old checkpoints, every
CLEANUP_INTERVAL seconds, in one process at a time (an advisory lock per round)."""

from __future__ import annotations

import logging
from datetime import timedelta

from api.periodic import every
from storage.housekeeping import CleanupReport, Housekeeping

log = logging.getLogger(__name__)


class CleanupRunner:
    def __init__(
        self,
        housekeeping: Housekeeping,
        *,
        interval: float,
        max_conversation_age: timedelta,
        checkpoint_retention: timedelta,
    ) -> None:
        self._housekeeping = housekeeping
        self._interval = interval
        self._max_age = max_conversation_age
        self._retention = checkpoint_retention

    async def run(self) -> None:
        await every(self._interval, self.run_once, what="cleanup round")

    async def run_once(self) -> CleanupReport:
        report = await self._housekeeping.run_once(
            max_conversation_age=self._max_age, checkpoint_retention=self._retention
        )
        if report.ran and (report.closed or report.checkpoints_pruned):
            log.info(
                "cleanup round",
                extra={"closed": report.closed, "checkpoints_pruned": report.checkpoints_pruned},
            )
        return report
