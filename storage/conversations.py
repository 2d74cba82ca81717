"""Conversation rows (one per thread) and the pauses that silence the bot."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from storage.db import Pool
from storage.models import ConversationSummary, Listing, Pause, TurnStart


def _pause(row: dict[str, Any]) -> Pause:
    return Pause(
        conversation_id=row["conversation_id"],
        paused_until=row["paused_until"],
        reason=row["reason"],
        paused_by=row["paused_by"],
    )


class ConversationRepository:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def record_activity(
        self,
        conversation_id: str,
        channel: str,
        customer_id: int | None = None,
        stage: str | None = None,
        *,
        handoff_requested: bool | None = None,
        cart_total: Decimal | None = None,
    ) -> None:
        """Create the conversation on first contact, then keep its stage, clock and what
        the console lists (handoff asked, cart total) current."""
        async with self._pool.connection() as conn:
            await conn.execute(
                """
                INSERT INTO conversations (id, channel, customer_id, stage)
                VALUES (%(id)s, %(channel)s, %(customer_id)s, coalesce(%(stage)s, 'greeting'))
                ON CONFLICT (id) DO UPDATE
                    SET customer_id = coalesce(EXCLUDED.customer_id, conversations.customer_id),
                        stage = coalesce(%(stage)s, conversations.stage),
                        handoff_requested = coalesce(
                            %(handoff)s, conversations.handoff_requested),
                        cart_total = coalesce(%(cart_total)s, conversations.cart_total),
                        last_activity_at = now()
                """,
                {
                    "id": conversation_id,
                    "channel": channel,
                    "customer_id": customer_id,
                    "stage": stage,
                    "handoff": handoff_requested,
                    "cart_total": cart_total,
                },
            )

    async def start_turn(self, conversation_id: str, channel: str) -> TurnStart:
        """Record the customer's activity, reopen the conversation if it was closed for
        inactivity, and return that with the open pause, in one round trip."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                WITH before AS (
                    SELECT closed_at FROM conversations WHERE id = %(id)s
                ), touched AS (
                    INSERT INTO conversations (id, channel) VALUES (%(id)s, %(channel)s)
                    ON CONFLICT (id) DO UPDATE SET last_activity_at = now(), closed_at = NULL
                    RETURNING id, customer_id, stage, handoff_requested, cart_total
                )
                SELECT (SELECT closed_at IS NOT NULL FROM before) AS reopened,
                       touched.customer_id, touched.stage, touched.handoff_requested,
                       touched.cart_total,
                       p.conversation_id, p.paused_until, p.reason, p.paused_by
                FROM touched
                LEFT JOIN LATERAL (
                    SELECT * FROM conversation_pauses p
                    WHERE p.conversation_id = touched.id
                      AND p.ended_at IS NULL AND p.paused_until > now()
                    ORDER BY p.paused_until DESC
                    LIMIT 1
                ) p ON true
                """,
                {"id": conversation_id, "channel": channel},
            )
            row = await cursor.fetchone()
        if row is None:  # pragma: no cover - the INSERT always returns the row
            return TurnStart(None)
        pause = _pause(row) if row["conversation_id"] else None
        listing = Listing(
            row["customer_id"], row["stage"], row["handoff_requested"], row["cart_total"]
        )
        return TurnStart(pause, reopened=bool(row["reopened"]), listing=listing)

    async def accept_message(
        self,
        channel: str,
        message_id: str,
        conversation_id: str,
        reply_address: str | None = None,
    ) -> bool:
        """Record an inbound message once: False when it was seen before (a redelivery)."""
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                """
                INSERT INTO processed_messages (channel, message_id, conversation_id)
                VALUES (%(channel)s, %(id)s, %(conversation)s)
                ON CONFLICT DO NOTHING
                """,
                {"channel": channel, "id": message_id, "conversation": conversation_id},
            )
            if cursor.rowcount == 0:
                return False
            await conn.execute(
                """
                INSERT INTO conversations (id, channel, last_inbound_at, reply_address)
                VALUES (%(conversation)s, %(channel)s, now(), %(reply)s)
                ON CONFLICT (id) DO UPDATE SET last_inbound_at = now(), last_activity_at = now(),
                    reply_address = coalesce(%(reply)s, conversations.reply_address)
                """,
                {"channel": channel, "conversation": conversation_id, "reply": reply_address},
            )
            return True

    async def forget_message(self, channel: str, message_id: str) -> None:
        """Undo `accept_message` when the message could not be queued: the platform's retry
        must then be processed, not dropped as a duplicate."""
        async with self._pool.connection() as conn:
            await conn.execute(
                "DELETE FROM processed_messages WHERE channel = %(c)s AND message_id = %(m)s",
                {"c": channel, "m": message_id},
            )

    async def record_transcript(self, channel: str, message_id: str, transcript: str) -> None:
        """Keep what a voice note said with the message it came in."""
        async with self._pool.connection() as conn:
            await conn.execute(
                "UPDATE processed_messages SET transcript = %(t)s"
                " WHERE channel = %(c)s AND message_id = %(m)s",
                {"t": transcript, "c": channel, "m": message_id},
            )

    async def last_inbound(self, conversation_id: str) -> datetime | None:
        async with self._pool.connection() as conn:
            row = await (
                await conn.execute(
                    "SELECT last_inbound_at FROM conversations WHERE id = %(id)s",
                    {"id": conversation_id},
                )
            ).fetchone()
        return row["last_inbound_at"] if row else None

    async def record_sent(self, channel: str, conversation_id: str, message_id: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                """
                INSERT INTO outbound_messages (id, channel, conversation_id)
                VALUES (%(id)s, %(channel)s, %(conversation)s) ON CONFLICT (id) DO NOTHING
                """,
                {"id": message_id, "channel": channel, "conversation": conversation_id},
            )

    async def record_status(self, message_id: str, status: str) -> bool:
        """A delivery status from the platform (sent, delivered, read, failed)."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                UPDATE outbound_messages SET status = %(status)s, updated_at = now()
                WHERE id = %(id)s
                """,
                {"id": message_id, "status": status},
            )
            return cursor.rowcount > 0

    async def record_send_failure(
        self, channel: str, conversation_id: str, reply_to: str | None, error: str
    ) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                """
                INSERT INTO send_failures (channel, conversation_id, reply_to, error)
                VALUES (%(channel)s, %(conversation)s, %(reply_to)s, %(error)s)
                """,
                {
                    "channel": channel,
                    "conversation": conversation_id,
                    "reply_to": reply_to,
                    "error": error[:1000],
                },
            )

    async def record_error(self, kind: str, conversation_id: str | None, detail: str) -> None:
        """A turn that failed (counted in the deployment stats' errors)."""
        async with self._pool.connection() as conn:
            await conn.execute(
                "INSERT INTO service_errors (kind, conversation_id, detail) VALUES (%s, %s, %s)",
                (kind, conversation_id, detail[:1000]),
            )

    async def exists(self, conversation_id: str) -> bool:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT 1 FROM conversations WHERE id = %(id)s", {"id": conversation_id}
            )
            return await cursor.fetchone() is not None

    async def active_pause(self, conversation_id: str) -> Pause | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                SELECT conversation_id, paused_until, reason, paused_by
                FROM conversation_pauses
                WHERE conversation_id = %(id)s AND ended_at IS NULL AND paused_until > now()
                ORDER BY paused_until DESC
                LIMIT 1
                """,
                {"id": conversation_id},
            )
            row = await cursor.fetchone()
        return _pause(row) if row else None

    async def pause(
        self, conversation_id: str, *, minutes: int, reason: str, paused_by: str
    ) -> Pause:
        """Pause the bot, replacing any open pause (a new one extends, never shortens)."""
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                """
                WITH closed AS (
                    UPDATE conversation_pauses SET ended_at = now()
                    WHERE conversation_id = %(id)s AND ended_at IS NULL
                    RETURNING paused_until
                )
                INSERT INTO conversation_pauses (conversation_id, paused_until, reason, paused_by)
                VALUES (%(id)s,
                        greatest(now() + %(length)s, (SELECT max(paused_until) FROM closed)),
                        %(reason)s, %(by)s)
                RETURNING conversation_id, paused_until, reason, paused_by
                """,
                {
                    "id": conversation_id,
                    "length": timedelta(minutes=minutes),
                    "reason": reason,
                    "by": paused_by,
                },
            )
            row = await cursor.fetchone()
        assert row is not None
        return _pause(row)

    async def paused(self, limit: int = 200) -> list[tuple[str, str, Pause]]:
        """Conversations the bot is silent in now: (id, channel, pause), ending soonest last."""
        async with self._pool.connection() as conn:
            rows = await (
                await conn.execute(
                    """
                SELECT p.conversation_id, c.channel, p.paused_until, p.reason, p.paused_by
                FROM conversation_pauses p JOIN conversations c ON c.id = p.conversation_id
                WHERE p.ended_at IS NULL AND p.paused_until > now()
                ORDER BY p.paused_until DESC LIMIT %(limit)s
                """,
                    {"limit": limit},
                )
            ).fetchall()
        return [(row["conversation_id"], row["channel"], _pause(row)) for row in rows]

    async def listing(
        self,
        limit: int = 50,
        *,
        only: str | None = None,
        paused: bool = False,
        handoff: bool = False,
    ) -> list[ConversationSummary]:
        """The most recently active conversations (or just `only`), with their customer
        and pause; `paused` / `handoff` keep only those."""
        async with self._pool.connection() as conn:
            rows = await (
                await conn.execute(
                    """
                SELECT * FROM (
                    SELECT c.id, c.channel, c.stage, c.last_activity_at, c.closed_at,
                           c.reply_address, c.handoff_requested, c.cart_total,
                           cu.phone, cu.name,
                           (SELECT max(p.paused_until) FROM conversation_pauses p
                            WHERE p.conversation_id = c.id AND p.ended_at IS NULL
                              AND p.paused_until > now()) AS paused_until
                    FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id
                    WHERE (%(only)s::text IS NULL OR c.id = %(only)s)
                      AND (NOT %(handoff)s OR c.handoff_requested)
                ) listed
                WHERE NOT %(paused)s OR paused_until IS NOT NULL
                ORDER BY last_activity_at DESC LIMIT %(limit)s
                """,
                    {"limit": limit, "only": only, "paused": paused, "handoff": handoff},
                )
            ).fetchall()
        return [
            ConversationSummary(
                id=row["id"],
                channel=row["channel"],
                stage=row["stage"],
                last_activity_at=row["last_activity_at"],
                closed=row["closed_at"] is not None,
                phone=row["phone"],
                name=row["name"],
                paused_until=row["paused_until"],
                reply_address=row["reply_address"],
                handoff_requested=row["handoff_requested"],
                cart_total=row["cart_total"],
            )
            for row in rows
        ]

    async def resume(self, conversation_id: str) -> bool:
        """End the open pause; False when there was none."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                UPDATE conversation_pauses SET ended_at = now()
                WHERE conversation_id = %(id)s AND ended_at IS NULL AND paused_until > now()
                """,
                {"id": conversation_id},
            )
            return cursor.rowcount > 0
