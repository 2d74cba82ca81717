"""The Support Board webhook: secrets, echoes, agent takeover, pause expiry and resume."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from agent.turns import conversation_id_for
from api.runtime import Runtime
from api.settings import Settings
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, register, running_app

pytestmark = pytest.mark.integration

SECRET = "sb-secret"
BOT, AGENT, CUSTOMER = "1", "7", "42"


class SupportBoardAPI:
    """Answers include/api.php: get-user with a phone, and records what the bot sends."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/include/api.php"
        fields = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert fields["token"] == "sb-token"
        self.calls.append(fields)
        if fields["function"] == "get-user":
            return httpx.Response(
                200,
                json={
                    "success": True,
                    "response": {
                        "id": CUSTOMER,
                        "details": [{"slug": "phone", "value": "+58 414 555 4242"}],
                    },
                },
            )
        return httpx.Response(200, json={"success": True, "response": 1})

    def sent(self) -> list[str]:
        return [c["message"] for c in self.calls if c["function"].endswith("send-message")]


@pytest.fixture
async def sb(
    settings: Settings,
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime, SupportBoardAPI]]:
    configured = settings.model_copy(
        update={
            "support_board_url": "https://sb.test",
            "support_board_token": SecretStr("sb-token"),
            "support_board_webhook_secret": SecretStr(SECRET),
            "support_board_bot_user_id": BOT,
            "support_board_agent_ids": AGENT,
            "burst_window_ms": 200,
        }
    )
    api = SupportBoardAPI()
    async with running_app(configured) as (client, runtime):
        runtime.supportboard._client = httpx.AsyncClient(transport=httpx.MockTransport(api))
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        await register(client, "+584145554242", "Marta Ríos", "Calle 8, Caracas")
        yield client, runtime, api


def _event(sender: str, text: str, message_id: str, source: str = "wa") -> dict[str, Any]:
    return {
        "function": "message-sent",
        "data": {
            "conversation_id": "900",
            "user_id": sender,
            "conversation_user_id": CUSTOMER,
            "message_id": message_id,
            "message": text,
            "conversation_source": source,
        },
    }


async def _post(
    client: httpx.AsyncClient,
    event: dict[str, Any],
    *,
    token: str | None = SECRET,
    signature: bool = False,
) -> httpx.Response:
    body = json.dumps(event).encode()
    headers = {"content-type": "application/json"}
    if signature:
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers["x-sb-signature"] = f"sha256={digest}"
    elif token is not None:
        headers["x-webhook-token"] = token
    return await client.post("/api/sb-webhook", content=body, headers=headers)


async def test_the_webhook_secret_is_required_as_token_or_signature(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, _, _ = sb
    event = _event(CUSTOMER, "hola", "m1")
    assert (await _post(client, event, token=None)).status_code == 401
    assert (await _post(client, event, token="wrong")).status_code == 401
    assert (await _post(client, event, signature=True)).json() == {"handled": "queued"}
    assert (
        await client.post(
            "/api/sb-webhook?token=sb-secret", json={"function": "conversation-status-updated"}
        )
    ).json() == {"handled": "ignored"}


async def test_a_customer_known_by_the_support_board_phone_is_answered_by_name(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    await _post(client, _event(CUSTOMER, "hola, ¿tienen arroz?", "m1"))
    assert (await _post(client, _event(CUSTOMER, "hola, ¿tienen arroz?", "m1"))).json() == {
        "handled": "duplicate"
    }
    await runtime.inbox.drain()
    assert len(api.sent()) == 1
    assert "Marta" in api.sent()[0]
    assert "Arroz blanco" in api.sent()[0]
    send = next(c for c in api.calls if c["function"] == "send-message")
    assert (send["user_id"], send["conversation_id"]) == (BOT, "900")


async def test_instagram_and_messenger_answers_use_the_messenger_function(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    await _post(client, _event(CUSTOMER, "hola", "m1", source="ig"))
    await runtime.inbox.drain()
    assert [c["function"] for c in api.calls][-1] == "messenger-send-message"


async def test_the_bots_own_echo_is_ignored(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    assert (await _post(client, _event(BOT, "¡Hola Marta!", "m2"))).json() == {"handled": "echo"}
    await runtime.inbox.drain()
    assert api.sent() == []


async def test_an_agent_reply_pauses_the_bot_until_resumed(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    taken = (await _post(client, _event(AGENT, "Hola Marta, te atiendo yo", "a1"))).json()
    assert taken["handled"] == "takeover"
    await _post(client, _event(CUSTOMER, "gracias, ¿tienen café?", "m3"))
    await runtime.inbox.drain()
    assert api.sent() == []
    paused = (await client.get("/api/conversations/paused", headers=OPERATOR)).json()
    conversation_id = conversation_id_for("supportboard", CUSTOMER)
    assert [(p["conversation_id"], p["paused_by"]) for p in paused] == [
        (conversation_id, f"agent:{AGENT}")
    ]
    resumed = await client.post(f"/api/conversations/{conversation_id}/resume", headers=OPERATOR)
    assert resumed.json()["resumed"] is True
    await _post(client, _event(CUSTOMER, "¿tienen café?", "m4"))
    await runtime.inbox.drain()
    assert len(api.sent()) == 1
    assert "Café" in api.sent()[0]


async def test_any_non_customer_sender_counts_as_an_agent_and_pauses_expire(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    assert (await _post(client, _event("99", "un momento", "a2"))).json()["handled"] == ("takeover")
    async with runtime.pool.connection() as conn:
        await conn.execute(
            "UPDATE conversation_pauses SET paused_until = now() - interval '1 second'"
        )
    await _post(client, _event(CUSTOMER, "hola", "m5"))
    await runtime.inbox.drain()
    assert len(api.sent()) == 1


async def test_asking_for_a_person_flags_the_conversation_for_agents(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    await _post(client, _event(CUSTOMER, "quiero hablar con un asesor", "m6"))
    await runtime.inbox.drain()
    assert "asesor" in api.sent()[0]
    flag = [c for c in api.calls if c["function"] == "update-conversation-status"]
    assert [(c["conversation_id"], c["status_code"]) for c in flag] == [("900", "2")]


async def test_a_message_without_ids_is_refused(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, _, _ = sb
    event = _event(CUSTOMER, "hola", "")
    assert (await _post(client, event)).status_code == 422
    assert (await _post(client, {"function": "message-sent", "data": "x"})).status_code == 422


async def test_whatsapp_conversations_go_straight_through_the_cloud_api_with_a_copy(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    graph: list[dict[str, Any]] = []

    def cloud_api(request: httpx.Request) -> httpx.Response:
        graph.append(json.loads(request.content))
        return httpx.Response(200, json={"messages": [{"id": f"wamid.OUT{len(graph)}"}]})

    whatsapp = runtime.whatsapp
    whatsapp._client = httpx.AsyncClient(transport=httpx.MockTransport(cloud_api))
    runtime.supportboard._whatsapp = whatsapp  # as when WHATSAPP_* are configured
    await _post(client, _event(CUSTOMER, "hola, ¿tienen arroz?", "w1", source="wa"))
    await runtime.inbox.drain()
    await _post(client, _event(CUSTOMER, "¿tienen café?", "i1", source="ig"))
    await runtime.inbox.drain()
    sent = [body for body in graph if body.get("type")]
    assert len(sent) == 1  # the wa conversation only
    assert sent[0]["to"] == "584145554242"
    body = sent[0].get("text", {}).get("body") or sent[0]["interactive"]["body"]["text"]
    assert "Arroz blanco" in body
    # Agents see both answers in Support Board; Instagram still goes through it.
    assert any("Arroz blanco" in text for text in api.sent())
    messenger = [c for c in api.calls if c["function"] == "messenger-send-message"]
    assert messenger
    assert "Café" in messenger[0]["message"]


async def test_an_agent_writing_from_the_console_reaches_the_support_board_conversation(
    sb: tuple[httpx.AsyncClient, Runtime, SupportBoardAPI],
) -> None:
    client, runtime, api = sb
    await _post(client, _event(CUSTOMER, "hola", "m1", source="ig"))
    await runtime.inbox.drain()
    conversation_id = conversation_id_for("supportboard", CUSTOMER)
    written = await client.post(
        f"/api/console/conversations/{conversation_id}/messages",
        json={"text": "Hola Marta, soy Laura de la tienda."},
        headers=OPERATOR,
    )
    assert written.json()["delivered"]
    sent = [c for c in api.calls if c["function"] == "messenger-send-message"]
    assert sent[-1]["message"] == "Hola Marta, soy Laura de la tienda."
    assert sent[-1]["conversation_id"] == "900"
    assert (await runtime.services.conversations.active_pause(conversation_id)) is not None
