"""Support Board: WhatsApp, Instagram and Messenger conversations where human agents work too.

The `message-sent` webhook reports every message of a conversation, whoever wrote it: the
bot's own messages come back (ignored), a human agent's message pauses the bot for that
conversation, and the customer's messages are answered unless it is paused. Answers go
through Support Board's API so agents see them in the conversation; WhatsApp (`wa`)
conversations are answered through WhatsApp Cloud API directly when it is configured, with
a copy in Support Board.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, Literal

import httpx

from agent.phones import normalize_phone
from agent.turns import TurnResult
from api.channels.base import Inbound, SendFailed, record_failed_send, send_with_retry
from api.channels.whatsapp import WhatsAppChannel
from storage.conversations import ConversationRepository

log = logging.getLogger(__name__)

Sender = Literal["bot", "agent", "customer"]
MESSENGER_SOURCES = frozenset({"ig", "fb"})


def secret_valid(expected: str, given: str | None) -> bool:
    return bool(expected) and secrets.compare_digest((given or "").encode(), expected.encode())


def classify(data: dict[str, Any], bot_user_id: str, agent_ids: frozenset[str]) -> Sender:
    """Who wrote a message: the bot (its own echo), a human agent, or the customer."""
    sender = str(data.get("user_id", ""))
    if bot_user_id and sender == bot_user_id:
        return "bot"
    if sender in agent_ids or sender != str(data.get("conversation_user_id", "")):
        return "agent"
    return "customer"


def parse(data: dict[str, Any]) -> Inbound | None:
    """The customer message of a `message-sent` event (None when it lacks what a turn needs)."""
    conversation_id = str(data.get("conversation_id", "")).strip()
    customer = str(data.get("conversation_user_id", "")).strip()
    message_id = str(data.get("message_id", "")).strip()
    if not (conversation_id and customer and message_id):
        return None
    text = str(data.get("message", "") or "").strip()
    source = str(data.get("conversation_source", "") or "").strip()
    return Inbound(
        channel="supportboard",
        identity=customer,
        message_id=message_id,
        kind="text" if text else "unsupported",
        text=text,
        reply_address=f"{conversation_id}|{source}",
    )


class SupportBoardChannel:
    name = "supportboard"

    def __init__(
        self,
        client: httpx.AsyncClient,
        conversations: ConversationRepository,
        *,
        url: str,
        token: str,
        bot_user_id: str,
        phone_region: str,
        whatsapp: WhatsAppChannel | None = None,
    ) -> None:
        self._whatsapp = whatsapp
        self._client = client
        self._conversations = conversations
        self._api = f"{url.rstrip('/')}/include/api.php" if url else ""
        self._token = token
        self._bot = bot_user_id
        self._region = phone_region
        self._phones: dict[str, str | None] = {}

    async def _call(self, function: str, **fields: str) -> dict[str, Any]:
        if not self._api:
            raise SendFailed("SUPPORT_BOARD_URL is not set")
        data = {"token": self._token, "function": function, **fields}
        response = await send_with_retry(lambda: self._client.post(self._api, data=data))
        body = response.json()
        if isinstance(body, dict) and body.get("success") is False:
            raise SendFailed(f"{function}: {body.get('response')}")
        return body if isinstance(body, dict) else {"response": body}

    async def customer_phone(self, user_id: str) -> str | None:
        """The phone on the Support Board user, if any (cached for this process)."""
        if user_id not in self._phones:
            phone = None
            try:
                body = await self._call("get-user", user_id=user_id, extra="true")
            except SendFailed as error:
                log.info("support board get-user failed", extra={"error": str(error)})
            else:
                phone = _phone_in(body.get("response"), self._region)
            self._phones[user_id] = phone
        return self._phones[user_id]

    async def deliver(self, to: Inbound, result: TurnResult, conversation_id: str) -> None:
        direct = self._direct_whatsapp(to)
        if result.reply and direct is not None and self._whatsapp is not None:
            # Straight to the customer through the Cloud API (buttons and lists included),
            # and a copy into the conversation so the agents see what the bot said.
            await self._whatsapp.deliver(direct, result, conversation_id)
            await self.say(to, result.reply, conversation_id, copy_only=True)
        elif result.reply:
            await self.say(to, result.reply, conversation_id)
        if result.stage == "handoff" and result.paused:
            await self._flag_for_agents(to, conversation_id)

    def _direct_whatsapp(self, to: Inbound) -> Inbound | None:
        """A `wa` conversation answered through WhatsApp Cloud API, when it is configured
        and the customer's phone is known."""
        if self._whatsapp is None or not to.customer_phone:
            return None
        if to.reply_address.partition("|")[2] != "wa":
            return None
        number = to.customer_phone.lstrip("+")
        return Inbound(
            "whatsapp", number, to.message_id, to.kind, to.text, to.customer_phone, number
        )

    async def say(
        self, to: Inbound, text: str, conversation_id: str, *, copy_only: bool = False
    ) -> None:
        direct = None if copy_only else self._direct_whatsapp(to)
        if direct is not None and self._whatsapp is not None:
            await self._whatsapp.say(direct, text, conversation_id)  # the copy follows
        sb_conversation, _, source = to.reply_address.partition("|")
        function = "messenger-send-message" if source in MESSENGER_SOURCES else "send-message"
        try:
            await self._call(
                function, user_id=self._bot, conversation_id=sb_conversation, message=text
            )
        except SendFailed as error:
            log.warning(
                "support board send failed", extra={"reply_to": to.message_id, "error": str(error)}
            )
            await record_failed_send(
                self._conversations, self.name, conversation_id, to.message_id, str(error)
            )

    async def fetch_audio(self, message: Inbound, max_bytes: int) -> bytes | None:
        return None  # attachments (voice recordings among them) are not read from Support Board yet

    async def send_voice(self, to: Inbound, audio: bytes, conversation_id: str) -> None:
        direct = self._direct_whatsapp(to)
        if direct is not None and self._whatsapp is not None:
            await self._whatsapp.send_voice(direct, audio, conversation_id)

    async def _flag_for_agents(self, to: Inbound, conversation_id: str) -> None:
        """Tell the platform a person is needed: the conversation goes back to the agents'
        queue (status "waiting for an agent")."""
        sb_conversation = to.reply_address.partition("|")[0]
        try:
            await self._call(
                "update-conversation-status", conversation_id=sb_conversation, status_code="2"
            )
        except SendFailed as error:
            await record_failed_send(
                self._conversations,
                self.name,
                conversation_id,
                to.message_id,
                f"handoff flag: {error}",
            )


def _phone_in(user: Any, region: str) -> str | None:
    """Support Board keeps the phone among the user's details ({"slug": "phone", ...})."""
    if not isinstance(user, dict):
        return None
    candidates: list[Any] = [user.get("phone")]
    details = user.get("details")
    if isinstance(details, list):
        candidates += [
            d.get("value") for d in details if isinstance(d, dict) and d.get("slug") == "phone"
        ]
    elif isinstance(details, dict):
        candidates.append(
            details.get("phone", {}).get("value")
            if isinstance(details.get("phone"), dict)
            else details.get("phone")
        )
    for value in candidates:
        if isinstance(value, str) and value.strip():
            phone = normalize_phone(value, region)
            if phone:
                return phone
    return None
