"""WhatsApp Cloud API: verify the webhook, parse its payloads, send answers.

Answers use interactive reply buttons where a question has fixed answers (confirm or change
an order) and a list when the answer shows products; text otherwise. Free text is never
sent outside the 24-hour customer service window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from agent.phones import mask_phone
from agent.turns import TurnResult
from api.channels.base import (
    Inbound,
    SendFailed,
    SendRate,
    record_failed_send,
    send_with_retry,
)
from storage.conversations import ConversationRepository

log = logging.getLogger(__name__)

SERVICE_WINDOW = timedelta(hours=24)
MAX_BUTTONS, BUTTON_TITLE = 3, 20
MAX_ROWS, ROW_TITLE, ROW_DESCRIPTION = 10, 24, 72
UNSUPPORTED = frozenset({"image", "video", "sticker", "document", "contacts", "unknown"})


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256 is "sha256=" + the HMAC-SHA256 of the raw body."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return secrets.compare_digest(header.removeprefix("sha256=").encode(), expected.encode())


def _text_of(message: dict[str, Any]) -> tuple[str, str]:
    """(kind, text) of one WhatsApp message."""
    kind = message.get("type", "unknown")
    if kind == "text":
        return "text", str(message.get("text", {}).get("body", ""))
    if kind == "interactive":
        interactive = message.get("interactive", {})
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        if interactive.get("type") == "button_reply":
            return "text", str(reply.get("id") or reply.get("title", ""))
        return "text", str(reply.get("title", ""))
    if kind == "button":  # a template's quick reply
        return "text", str(message.get("button", {}).get("text", ""))
    if kind == "location":
        place = message.get("location", {})
        where = ", ".join(str(place[k]) for k in ("name", "address") if place.get(k))
        return "location", where or f"{place.get('latitude')}, {place.get('longitude')}"
    if kind == "audio":
        return "audio", ""
    return "unsupported", ""


def parse(payload: dict[str, Any]) -> tuple[list[Inbound], list[tuple[str, str]]]:
    """Messages and (message id, status) updates of a webhook payload, in order."""
    messages: list[Inbound] = []
    statuses: list[tuple[str, str]] = []
    for change in _changes(payload):
        value = change.get("value", {})
        for status in value.get("statuses", []) or []:
            if status.get("id") and status.get("status"):
                statuses.append((str(status["id"]), str(status["status"])))
        for message in value.get("messages", []) or []:
            sender, message_id = str(message.get("from", "")), str(message.get("id", ""))
            if not sender.isdigit() or not message_id:
                continue
            kind, text = _text_of(message)
            audio = message.get("audio")
            media_id = str(audio.get("id", "")) if isinstance(audio, dict) else ""
            if kind == "location":
                kind, text = "text", f"📍 {text}"
            if message.get("type") == "reaction":
                continue  # a reaction is not a message to answer
            messages.append(
                Inbound(
                    channel="whatsapp",
                    identity=f"+{sender}",
                    message_id=message_id,
                    kind=kind if kind in ("text", "audio") else "unsupported",  # type: ignore[arg-type]
                    text=text,
                    customer_phone=f"+{sender}",
                    reply_address=sender,
                    media_id=media_id if kind == "audio" else "",
                )
            )
    return messages, statuses


def _changes(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for entry in payload.get("entry", []) or []:
        if isinstance(entry, dict):
            for change in entry.get("changes", []) or []:
                if isinstance(change, dict):
                    yield change


class WhatsAppChannel:
    name = "whatsapp"

    def __init__(
        self,
        client: httpx.AsyncClient,
        conversations: ConversationRepository,
        *,
        base_url: str,
        phone_number_id: str,
        access_token: str,
        rate: SendRate | None = None,
    ) -> None:
        self._rate = rate
        self._client = client
        self._conversations = conversations
        self._base_url = base_url.rstrip("/")
        self._url = f"{self._base_url}/{phone_number_id}/messages"
        self._media_url = f"{self._base_url}/{phone_number_id}/media"
        self._headers = {"authorization": f"Bearer {access_token}"}

    async def deliver(self, to: Inbound, result: TurnResult, conversation_id: str) -> None:
        await self.mark_read(to.message_id)
        if not result.reply:
            return
        if result.buttons:
            body = self._buttons(to.reply_address, result)
        elif len(result.products) > 1:
            body = self._list(to.reply_address, result)
        else:
            body = self._text(to.reply_address, result.reply)
        await self._send(to, body, conversation_id)

    async def say(self, to: Inbound, text: str, conversation_id: str) -> None:
        await self._send(to, self._text(to.reply_address, text), conversation_id)

    async def fetch_audio(self, message: Inbound, max_bytes: int) -> bytes | None:
        """Media are fetched in two steps: the id gives a short-lived URL (and the size),
        the URL gives the bytes; both need the access token. Transient failures are
        retried; a file over `max_bytes` is not downloaded."""
        if not message.media_id or not message.media_id.isalnum():
            return None
        try:
            info = await send_with_retry(
                lambda: self._client.get(
                    f"{self._base_url}/{message.media_id}", headers=self._headers
                )
            )
            meta = info.json()
            url, size = str(meta.get("url", "")), int(meta.get("file_size") or 0)
            if not url.startswith("https://") and not url.startswith(self._base_url):
                return None
            if size > max_bytes:
                return None
            return await self._download(url, max_bytes)
        except (SendFailed, ValueError, TypeError, httpx.HTTPError) as error:
            log.warning(
                "voice note download failed",
                extra={"message_id": message.message_id, "error": str(error)[:200]},
            )
            return None

    async def _download(self, url: str, max_bytes: int) -> bytes | None:
        async with self._client.stream("GET", url, headers=self._headers) as response:
            response.raise_for_status()
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    return None
        return bytes(data)

    async def send_voice(self, to: Inbound, audio: bytes, conversation_id: str) -> None:
        """Upload the OGG/Opus file, then send it as a voice note (a play button and the
        business's picture, which WhatsApp shows for OGG/Opus up to 512 KB)."""
        try:
            uploaded = await send_with_retry(
                lambda: self._client.post(
                    self._media_url,
                    headers=self._headers,
                    data={"messaging_product": "whatsapp", "type": "audio/ogg"},
                    files={"file": ("reply.ogg", audio, "audio/ogg")},
                )
            )
            media_id = str(uploaded.json()["id"])
        except (SendFailed, KeyError, ValueError) as error:
            await record_failed_send(
                self._conversations, self.name, conversation_id, to.message_id, str(error)
            )
            return
        body = self._message(to.reply_address, "audio", {"id": media_id, "voice": True})
        await self._send(to, body, conversation_id)

    async def record_status(self, message_id: str, status: str) -> None:
        """sent → delivered → read (or failed), as the platform reports it."""
        await self._conversations.record_status(message_id, status)

    async def mark_read(self, message_id: str) -> None:
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        try:
            await send_with_retry(
                lambda: self._client.post(self._url, json=body, headers=self._headers), attempts=2
            )
        except SendFailed:
            log.info("mark read failed", extra={"message_id": message_id})

    async def _send(self, to: Inbound, body: dict[str, Any], conversation_id: str) -> None:
        last = await self._conversations.last_inbound(conversation_id)
        if last is not None and datetime.now(UTC) - last > SERVICE_WINDOW:
            await record_failed_send(
                self._conversations,
                self.name,
                conversation_id,
                to.message_id,
                "outside the 24-hour window",
            )
            return
        if self._rate is not None:
            await self._rate.acquire()
        try:
            response = await send_with_retry(
                lambda: self._client.post(self._url, json=body, headers=self._headers)
            )
        except SendFailed as error:
            log.warning(
                "whatsapp send failed",
                extra={
                    "reply_to": to.message_id,
                    "to": mask_phone(to.identity),
                    "error": str(error),
                },
            )
            await record_failed_send(
                self._conversations, self.name, conversation_id, to.message_id, str(error)
            )
            return
        for sent in response.json().get("messages", []) or []:
            if sent.get("id"):
                await self._conversations.record_sent(self.name, conversation_id, sent["id"])

    @staticmethod
    def _message(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind,
            kind: content,
        }

    def _text(self, to: str, text: str) -> dict[str, Any]:
        return self._message(to, "text", {"preview_url": False, "body": text[:4096]})

    def _buttons(self, to: str, result: TurnResult) -> dict[str, Any]:
        buttons = [
            {"type": "reply", "reply": {"id": b.id[:256], "title": b.title[:BUTTON_TITLE]}}
            for b in result.buttons[:MAX_BUTTONS]
        ]
        return self._message(
            to,
            "interactive",
            {
                "type": "button",
                "body": {"text": result.reply[:1024]},
                "action": {"buttons": buttons},
            },
        )

    def _list(self, to: str, result: TurnResult) -> dict[str, Any]:
        rows = [
            {
                "id": p.id[:200],
                "title": p.title[:ROW_TITLE],
                "description": p.description[:ROW_DESCRIPTION],
            }
            for p in result.products[:MAX_ROWS]
        ]
        button = "Ver productos" if result.language == "es" else "See products"
        title = "Productos" if result.language == "es" else "Products"
        return self._message(
            to,
            "interactive",
            {
                "type": "list",
                "body": {"text": result.reply[:1024]},
                "action": {"button": button, "sections": [{"title": title, "rows": rows}]},
            },
        )
