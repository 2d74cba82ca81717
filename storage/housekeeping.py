"""Cleaning up after months of service, and the numbers operators watch.

Everything here is computed from or applied to the database, so every process sees the
same figures and a cleanup round done by one process is done for all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from storage.db import Pool

CLEANUP_LOCK = 0x5A_C1EA
"""Advisory lock held for one cleanup round: the process that gets it does the round."""


@dataclass(frozen=True, slots=True)
class CleanupReport:
    ran: bool
    """False when another process held the round."""
    closed: int = 0
    checkpoints_pruned: int = 0


@dataclass(frozen=True, slots=True)
class ActiveConversation:
    id: str
    channel: str
    phone: str | None
    stage: str
    last_activity_age_seconds: float


@dataclass(frozen=True, slots=True)
class Stats:
    total_conversations: int
    active_conversations: int
    completed_conversations: int
    paused_conversations: int
    orders_today: int
    errors: int
    active: list[ActiveConversation]


class Housekeeping:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def run_once(
        self, *, max_conversation_age: timedelta, checkpoint_retention: timedelta
    ) -> CleanupReport:
        """Close conversations idle for `max_conversation_age` and prune checkpoints older
        than `checkpoint_retention` (each thread keeps its latest), if no other process
        is doing it right now."""
        async with self._pool.connection() as conn, conn.transaction():
            got = await (
                await conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS got", (CLEANUP_LOCK,))
            ).fetchone()
            if not got or not got["got"]:
                return CleanupReport(ran=False)
            closed = await conn.execute(
                """
                UPDATE conversations SET closed_at = now()
                WHERE closed_at IS NULL AND last_activity_at < now() - %(age)s
                """,
                {"age": max_conversation_age},
            )
            pruned = await conn.execute(
                """
                WITH latest AS (
                    SELECT thread_id, checkpoint_ns, max(checkpoint_id) AS checkpoint_id
                    FROM checkpoints GROUP BY thread_id, checkpoint_ns
                ), old AS (
                    DELETE FROM checkpoints c
                    USING latest l
                    WHERE c.thread_id = l.thread_id AND c.checkpoint_ns = l.checkpoint_ns
                      AND c.checkpoint_id <> l.checkpoint_id
                      AND (c.checkpoint ->> 'ts')::timestamptz < now() - %(retention)s
                    RETURNING c.thread_id, c.checkpoint_ns, c.checkpoint_id
                ), writes AS (
                    DELETE FROM checkpoint_writes w USING old
                    WHERE w.thread_id = old.thread_id AND w.checkpoint_ns = old.checkpoint_ns
                      AND w.checkpoint_id = old.checkpoint_id
                )
                SELECT count(*) AS pruned FROM old
                """,
                {"retention": checkpoint_retention},
            )
            pruned_row = await pruned.fetchone()
            pruned_count = int(pruned_row["pruned"]) if pruned_row else 0
            if pruned_count:
                # Channel values no remaining checkpoint points at.
                await conn.execute(
                    """
                    DELETE FROM checkpoint_blobs b
                    WHERE NOT EXISTS (
                        SELECT 1 FROM checkpoints c
                        WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns
                          AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version
                    )
                    """
                )
            return CleanupReport(ran=True, closed=closed.rowcount, checkpoints_pruned=pruned_count)

    async def stats(self, *, max_conversation_age: timedelta, listed: int = 100) -> Stats:
        async with self._pool.connection() as conn:
            counts = await (
                await conn.execute(
                    """
                    SELECT
                      (SELECT count(*) FROM conversations) AS total,
                      (SELECT count(*) FROM conversations
                       WHERE closed_at IS NULL AND last_activity_at >= now() - %(age)s) AS active,
                      (SELECT count(*) FROM conversations
                       WHERE closed_at IS NOT NULL) AS completed,
                      (SELECT count(DISTINCT conversation_id) FROM conversation_pauses
                       WHERE ended_at IS NULL AND paused_until > now()) AS paused,
                      (SELECT count(*) FROM orders
                       WHERE created_at >= date_trunc('day', now())) AS orders_today,
                      (SELECT count(*) FROM service_errors
                       WHERE created_at >= now() - interval '24 hours')
                      + (SELECT count(*) FROM send_failures
                       WHERE created_at >= now() - interval '24 hours') AS errors
                    """,
                    {"age": max_conversation_age},
                )
            ).fetchone()
            rows = (
                []
                if listed == 0
                else await (
                    await conn.execute(
                        """
                    SELECT c.id, c.channel, cu.phone, c.stage,
                           extract(epoch FROM now() - c.last_activity_at) AS age
                    FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id
                    WHERE c.closed_at IS NULL AND c.last_activity_at >= now() - %(age)s
                    ORDER BY c.last_activity_at DESC
                    LIMIT %(limit)s
                    """,
                        {"age": max_conversation_age, "limit": listed},
                    )
                ).fetchall()
            )
        assert counts is not None
        return Stats(
            total_conversations=counts["total"],
            active_conversations=counts["active"],
            completed_conversations=counts["completed"],
            paused_conversations=counts["paused"],
            orders_today=counts["orders_today"],
            errors=counts["errors"],
            active=[
                ActiveConversation(r["id"], r["channel"], r["phone"], r["stage"], float(r["age"]))
                for r in rows
            ],
        )
