"""The web chat channel: the page, a customer ordering through it, message ids processed
once, and silence while a person handles the conversation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.runtime import Runtime
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, register, say

pytestmark = pytest.mark.integration

App = tuple[httpx.AsyncClient, Runtime]
PHONE = "+15550112001"


async def _send(client: httpx.AsyncClient, text: str, message_id: str) -> dict[str, Any]:
    response = await client.post(
        "/api/web/messages",
        json={"customer_phone": PHONE, "text": text, "message_id": message_id},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_chat_page_is_served_with_labelled_controls(app: App) -> None:
    client, _ = app
    home = await client.get("/")
    assert (home.status_code, home.headers["location"]) == (307, "/chat")
    page = await client.get("/chat")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for needle in ('<label for="phone"', '<label for="text"', 'aria-live="polite"', "viewport"):
        assert needle in page.text


async def test_a_customer_orders_through_the_web_chat(app: App) -> None:
    client, runtime = app
    await load_catalog(runtime, SCENARIOS / "catalog.json")
    await register(client, PHONE, "Web Shopper", "3 Elm St")
    found = await _send(client, "do you have red apples?", "w1")
    assert "Web" in found["reply"]
    assert found["products"][0]["name"] == "Red apples"
    assert found["products"][0]["price"]
    added = await _send(client, "add 2 of the first one", "w2")
    assert added["cart"][0]["quantity"] == 2
    assert added["cart_total"] == round(2 * added["cart"][0]["unit_price"], 2)
    assert "confirm" in (await _send(client, "checkout", "w3"))["reply"].lower()
    placed = await _send(client, "yes", "w4")
    assert placed["cart"] == []
    again = await _send(client, "yes", "w4")  # the page resent the same message
    assert again["duplicate"]
    orders = await client.get("/api/orders", params={"customer_phone": PHONE}, headers=OPERATOR)
    assert len(orders.json()) == 1
    roles = [m["role"] for m in placed["messages"]]
    assert roles[:2] == ["customer", "bot"]
    assert roles.count("customer") == 4


async def test_the_web_chat_is_silent_while_a_person_handles_it(app: App) -> None:
    client, runtime = app
    await _send(client, "hola", "p1")
    conversation = (await client.get("/api/web/messages", params={"customer_phone": PHONE})).json()
    await runtime.conversations.pause(
        conversation["conversation_id"], minutes=10, reason="test", paused_by="agent:1"
    )
    quiet = await _send(client, "¿hay alguien?", "p2")
    assert quiet["paused"]
    assert quiet["reply"] == ""
    assert quiet["messages"][-1] == {"role": "customer", "text": "¿hay alguien?"}


async def test_bad_web_messages_get_clear_errors(app: App) -> None:
    client, _ = app
    for body in (
        {"customer_phone": "nope", "text": "hi"},
        {"customer_phone": PHONE, "text": "   "},
        {"customer_phone": PHONE},
    ):
        response = await client.post("/api/web/messages", json=body)
        assert response.status_code == 422, body


async def test_an_agent_takes_over_from_the_console_and_hands_back(app: App) -> None:
    client, runtime = app
    await load_catalog(runtime, SCENARIOS / "catalog.json")
    await register(client, PHONE, "Web Shopper", "3 Elm St")
    await _send(client, "do you have bananas?", "c1")
    await _send(client, "add 3 of the first one", "c2")

    page = await client.get("/console")
    assert page.status_code == 200
    assert '<label for="token"' in page.text
    assert (await client.get("/api/console/conversations")).status_code == 401
    listed = (await client.get("/api/console/conversations", headers=OPERATOR)).json()
    mine = next(c for c in listed if c["channel"] == "web")
    assert mine["name"] == "Web Shopper"
    assert PHONE not in str(listed)
    assert mine["cart_total"] > 0
    assert not mine["paused"]

    conversation_id = mine["conversation_id"]
    written = await client.post(
        f"/api/console/conversations/{conversation_id}/messages",
        json={"text": "Hi, I'm Laura from the store. Bananas are on offer today!"},
        headers=OPERATOR,
    )
    assert written.status_code == 200, written.text
    assert written.json()["delivered"]
    seen = (await client.get("/api/web/messages", params={"customer_phone": PHONE})).json()
    assert seen["paused"]
    assert seen["messages"][-1]["role"] == "agent"
    quiet = await _send(client, "great, thanks!", "c3")
    assert quiet["reply"] == ""
    paused = (
        await client.get("/api/console/conversations", params={"paused": True}, headers=OPERATOR)
    ).json()
    assert [c["conversation_id"] for c in paused] == [conversation_id]
    detail = (
        await client.get(f"/api/console/conversations/{conversation_id}", headers=OPERATOR)
    ).json()
    assert [m["role"] for m in detail["messages"]][-2:] == ["agent", "customer"]
    assert detail["state"]["cart"]
    assert "*" in detail["state"]["customer"]["phone"]

    resumed = await client.post(f"/api/conversations/{conversation_id}/resume", headers=OPERATOR)
    assert resumed.status_code == 200
    back = await _send(client, "do you have onions?", "c4")
    assert "Onions" in back["reply"]
    assert not back["paused"]
    jobs = (await client.get("/api/console/jobs", headers=OPERATOR)).json()
    assert isinstance(jobs, list)
    missing = await client.get("/api/console/conversations/nope", headers=OPERATOR)
    assert missing.status_code == 404


async def test_the_console_list_filters_in_the_database_and_shows_each_turns_totals(
    app: App,
) -> None:
    client, runtime = app
    await load_catalog(runtime, SCENARIOS / "catalog.json")
    await register(client, PHONE, "Web Shopper", "3 Elm St")
    await register(client, "+15550119002", "Needs Help", "4 Oak St")
    added = await _send(client, "add 2 kg of red apples", "t1")
    helped = await say(client, "+15550119002", "I want to talk to a human")
    assert helped["stage"] == "handoff"

    everyone = (await client.get("/api/console/conversations", headers=OPERATOR)).json()
    shopper = next(c for c in everyone if c["name"] == "Web Shopper")
    assert shopper["cart_total"] == added["cart_total"] > 0
    assert not shopper["handoff_requested"]
    handoffs = (
        await client.get("/api/console/conversations", params={"handoff": True}, headers=OPERATOR)
    ).json()
    assert [c["name"] for c in handoffs] == ["Needs Help"]
    assert handoffs[0]["paused"]
    # The filter runs before the limit: one asked for, one found, however many are newer.
    await _send(client, "thanks", "t2")
    one = await client.get(
        "/api/console/conversations", params={"handoff": True, "limit": 1}, headers=OPERATOR
    )
    assert [c["name"] for c in one.json()] == ["Needs Help"]
    # A turn that changes nothing listed skips the write; the next change is still listed.
    emptied = await _send(client, "remove the red apples", "t3")
    assert emptied["cart"] == []
    everyone = (await client.get("/api/console/conversations", headers=OPERATOR)).json()
    shopper = next(c for c in everyone if c["name"] == "Web Shopper")
    assert shopper["cart_total"] == 0
