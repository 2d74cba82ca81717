"""The WhatsApp webhook with recorded-shape payloads; the Graph API is an httpx mock."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.runtime import Runtime
from api.settings import Settings
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, register, running_app

pytestmark = pytest.mark.integration

SECRET = "app-secret"
WA_ID = "584145550001"


class GraphAPI:
    """Records what the service sends; `failures` makes the next sends fail."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.failures: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert request.headers["authorization"] == "Bearer wa-token"
        assert request.url.path == "/v21.0/PHONE-ID/messages"
        if body.get("status") == "read":
            return httpx.Response(200, json={"success": True})
        if self.failures:
            return httpx.Response(self.failures.pop(0), json={"error": {"message": "boom"}})
        self.sent.append(body)
        return httpx.Response(200, json={"messages": [{"id": f"wamid.OUT{len(self.sent)}"}]})

    def texts(self) -> list[str]:
        out = []
        for body in self.sent:
            if body["type"] == "text":
                out.append(body["text"]["body"])
            else:
                out.append(body["interactive"]["body"]["text"])
        return out


@pytest.fixture
async def wa(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime, GraphAPI]]:
    configured = settings.model_copy(
        update={
            "whatsapp_verify_token": SecretStr("verify-me"),
            "whatsapp_app_secret": SecretStr(SECRET),
            "whatsapp_access_token": SecretStr("wa-token"),
            "whatsapp_phone_number_id": "PHONE-ID",
            "whatsapp_api_base_url": "https://graph.test/v21.0",
            "burst_window_ms": 300,
        }
    )
    graph = GraphAPI()
    async with running_app(configured) as (client, runtime):
        runtime.whatsapp._client = httpx.AsyncClient(transport=httpx.MockTransport(graph))
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        await register(client, f"+{WA_ID}", "Ana Pérez", "Av. Libertador 10, Caracas")
        yield client, runtime, graph


def _message(text: str, message_id: str, sender: str = WA_ID) -> dict[str, Any]:
    return {
        "from": sender,
        "id": message_id,
        "timestamp": "1700000000",
        "type": "text",
        "text": {"body": text},
    }


def _payload(
    *messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None, entries: int = 1
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": "PHONE-ID"},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": WA_ID}],
        "messages": list(messages),
    }
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "WABA", "changes": [{"field": "messages", "value": value}]}
            for _ in range(entries)
        ],
    }


async def _post(
    client: httpx.AsyncClient, payload: dict[str, Any], sign: Callable[[bytes], str] | None = None
) -> httpx.Response:
    body = json.dumps(payload).encode()
    signature = (sign or _sign)(body)
    headers = {"content-type": "application/json"}
    if signature:
        headers["x-hub-signature-256"] = signature
    return await client.post("/api/whatsapp/webhook", content=body, headers=headers)


def _sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


async def test_the_subscription_check_echoes_the_challenge_only_to_the_right_token(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, _, _ = wa
    ok = await client.get(
        "/api/whatsapp/webhook",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "verify-me",
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {},
    ):
        assert (await client.get("/api/whatsapp/webhook", params=params)).status_code == 403


async def test_deliveries_need_a_valid_signature(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    payload = _payload(_message("Hola", "wamid.SIG"))
    assert (await _post(client, payload, lambda body: "sha256=" + "0" * 64)).status_code == 401
    assert (await _post(client, payload, lambda body: "")).status_code == 401
    assert (await _post(client, payload)).status_code == 200
    await runtime.inbox.drain()
    assert len(graph.sent) == 1


async def test_the_same_delivery_three_times_is_answered_once(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    payload = _payload(_message("Hola, ¿tienen arroz?", "wamid.DUP"))
    answers = [(await _post(client, payload)).json() for _ in range(3)]
    assert [a["accepted"] for a in answers] == [1, 0, 0]
    assert [a["duplicates"] for a in answers] == [0, 1, 1]
    await runtime.inbox.drain()
    assert len(graph.sent) == 1
    assert "Arroz blanco" in graph.texts()[0]


async def test_a_burst_of_three_messages_is_one_turn_with_one_answer(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    for number, text in enumerate(["hola", "quiero 2 kilos de manzanas", "por favor"]):
        assert (await _post(client, _payload(_message(text, f"wamid.B{number}")))).json()[
            "accepted"
        ] == 1
    await runtime.inbox.drain()
    assert len(graph.sent) == 1
    state = await runtime.turns.state_of(
        __import__("agent.turns", fromlist=["x"]).conversation_id_for("whatsapp", f"+{WA_ID}")
    )
    assert [(c["item_code"], c["quantity"]) for c in state["cart"]] == [("GR-APPLE", "2")]


async def test_batched_entries_from_two_customers_are_both_answered(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    payload = _payload(
        _message("hello", "wamid.E1"), _message("hi", "wamid.E2", sender="15550009999")
    )
    payload["entry"].append(
        _payload(_message("buenas", "wamid.E3", sender="15550008888"))["entry"][0]
    )
    assert (await _post(client, payload)).json()["accepted"] == 3
    await runtime.inbox.drain()
    assert sorted(body["to"] for body in graph.sent) == ["15550008888", "15550009999", WA_ID]


async def test_statuses_update_delivery_state_and_never_reach_the_model(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    await _post(client, _payload(_message("hola", "wamid.S1")))
    await runtime.inbox.drain()
    status = {
        "id": "wamid.OUT1",
        "status": "read",
        "timestamp": "1700000100",
        "recipient_id": WA_ID,
    }
    answer = (await _post(client, _payload(statuses=[status]))).json()
    assert answer == {"accepted": 0, "duplicates": 0, "statuses": 1}
    async with runtime.pool.connection() as conn:
        row = await (
            await conn.execute("SELECT status FROM outbound_messages WHERE id = 'wamid.OUT1'")
        ).fetchone()
    assert row is not None
    assert row["status"] == "read"
    assert len(graph.sent) == 1


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"type": "sticker", "sticker": {"id": "1"}}, "only read text"),
        ({"type": "video", "video": {"id": "3"}}, "only read text"),
    ],
)
async def test_unsupported_types_get_a_short_polite_answer(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
    message: dict[str, Any],
    expected: str,
) -> None:
    client, runtime, graph = wa
    await _post(client, _payload({"from": WA_ID, "id": "wamid.U", **message}))
    await runtime.inbox.drain()
    assert len(graph.sent) == 1
    assert expected in graph.texts()[0]


async def test_sends_are_retried_and_final_failures_recorded(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    graph.failures = [503, 429]
    await _post(client, _payload(_message("hola", "wamid.R1")))
    await runtime.inbox.drain()
    assert len(graph.sent) == 1
    graph.failures = [400]
    await _post(client, _payload(_message("¿tienen café?", "wamid.R2")))
    await runtime.inbox.drain()
    assert len(graph.sent) == 1
    async with runtime.pool.connection() as conn:
        rows = await (await conn.execute("SELECT reply_to, error FROM send_failures")).fetchall()
    assert [(r["reply_to"], r["error"].split(":")[0]) for r in rows] == [("wamid.R2", "HTTP 400")]


async def test_checkout_uses_reply_buttons_and_product_answers_a_list(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    await _post(client, _payload(_message("¿tienen televisores?", "wamid.L1")))
    await runtime.inbox.drain()
    listed = graph.sent[-1]["interactive"]
    assert listed["type"] == "list"
    rows = listed["action"]["sections"][0]["rows"]
    assert 1 < len(rows) <= 10
    assert all(len(row["title"]) <= 24 for row in rows)
    await _post(client, _payload(_message("quiero 1 kilo de manzanas", "wamid.L2")))
    await runtime.inbox.drain()
    await _post(client, _payload(_message("listo, quiero pagar", "wamid.L3")))
    await runtime.inbox.drain()
    buttons = graph.sent[-1]["interactive"]
    assert buttons["type"] == "button"
    assert [b["reply"]["id"] for b in buttons["action"]["buttons"]] == ["sí", "no"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons["action"]["buttons"])
    tap = {
        "from": WA_ID,
        "id": "wamid.L4",
        "type": "interactive",
        "interactive": {
            "type": "button_reply",
            "button_reply": {"id": "sí", "title": "Sí, confirmar"},
        },
    }
    await _post(client, _payload(tap))
    await runtime.inbox.drain()
    assert "confirmado" in graph.texts()[-1]


async def test_no_free_text_outside_the_24_hour_window(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    from agent.turns import conversation_id_for

    client, runtime, graph = wa
    conversation_id = conversation_id_for("whatsapp", f"+{WA_ID}")
    await _post(client, _payload(_message("hola", "wamid.W1")))
    await runtime.inbox.drain()
    async with runtime.pool.connection() as conn:
        await conn.execute(
            "UPDATE conversations SET last_inbound_at = now() - interval '25 hours' "
            "WHERE id = %(id)s",
            {"id": conversation_id},
        )
    from api.channels.base import Inbound

    late = Inbound("whatsapp", f"+{WA_ID}", "wamid.W2", "text", "x", f"+{WA_ID}", WA_ID)
    await runtime.whatsapp.say(late, "a late notice", conversation_id)
    assert len(graph.sent) == 1


async def test_a_shared_location_becomes_the_delivery_address_after_a_yes(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    await _post(client, _payload(_message("hola", "wamid.LOC0")))
    await runtime.inbox.drain()
    pin = {
        "from": WA_ID,
        "id": "wamid.LOC1",
        "type": "location",
        "location": {
            "latitude": 10.49,
            "longitude": -66.88,
            "name": "Torre Sur",
            "address": "Av. Urdaneta 12, Caracas",
        },
    }
    await _post(client, _payload(pin))
    await runtime.inbox.drain()
    assert "Torre Sur, Av. Urdaneta 12, Caracas" in graph.texts()[-1]
    customer = (await client.get(f"/api/customers/+{WA_ID}", headers=OPERATOR)).json()
    assert customer["address"] == "Av. Libertador 10, Caracas"
    await _post(client, _payload(_message("sí", "wamid.LOC2")))
    await runtime.inbox.drain()
    assert "Urdaneta" in graph.texts()[-1]
    customer = (await client.get(f"/api/customers/+{WA_ID}", headers=OPERATOR)).json()
    assert customer["address"] == "Torre Sur, Av. Urdaneta 12, Caracas"


async def test_a_location_the_customer_declines_changes_nothing(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    client, runtime, graph = wa
    await _post(client, _payload(_message("hola", "wamid.LOC3")))
    pin = {
        "from": WA_ID,
        "id": "wamid.LOC4",
        "type": "location",
        "location": {"latitude": 10.49, "longitude": -66.88},
    }
    await runtime.inbox.drain()
    await _post(client, _payload(pin))
    await runtime.inbox.drain()
    await _post(client, _payload(_message("no", "wamid.LOC5")))
    await runtime.inbox.drain()
    assert "Libertador" in graph.texts()[-1]
    customer = (await client.get(f"/api/customers/+{WA_ID}", headers=OPERATOR)).json()
    assert customer["address"] == "Av. Libertador 10, Caracas"


async def test_the_send_rate_is_shared_and_makes_the_extra_send_wait(
    wa: tuple[httpx.AsyncClient, Runtime, GraphAPI],
) -> None:
    from api.channels.base import SendRate

    _, runtime, _ = wa
    first = SendRate(runtime.redis, "test", per_second=2)
    second = SendRate(runtime.redis, "test", per_second=2)  # another process's view
    # Five sends at two per second cannot all fit in the (at most two) seconds they span
    # without waiting: one of them must have waited for the next second.
    waits = [await (first, second)[n % 2].acquire() for n in range(5)]
    assert sum(waits) > 0
