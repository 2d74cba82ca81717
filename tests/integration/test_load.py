"""Load: 100 customers × 10 messages, half through REST and half through WhatsApp webhooks
(with redeliveries), on two app processes: nothing lost, nothing answered twice, no server
error, and every conversation in order."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from api.settings import Settings
from tests.conftest import SCENARIOS, load_catalog, register, running_app
from tests.processes import (
    FakeGraphApi,
    ready,
    sent_text,
    server,
    whatsapp_delivery,
    whatsapp_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTIONS = [
    ("do you have red apples?", "Red apples"),
    ("do you have bananas?", "Bananas"),
    ("¿tienen arroz?", "Arroz blanco"),
    ("¿tienen café?", "Café molido"),
    ("do you have onions?", "Onions"),
    ("¿tienen azúcar?", "Azúcar"),
    ("¿tienen aceite de girasol?", "Aceite de girasol"),
    ("¿tienen tomates?", "Tomates"),
    ("¿tienen huevos?", "Huevos"),
    ("do you have a blender?", "Licuadora Oster"),
]
REST_CUSTOMERS = [f"+1555080{n:04d}" for n in range(50)]
CHAT_CUSTOMERS = [f"5841470{n:05d}" for n in range(50)]


async def _rest_customer(http: httpx.AsyncClient, bases: tuple[str, str], number: int) -> None:
    phone = REST_CUSTOMERS[number]
    for index, (question, expected) in enumerate(QUESTIONS):
        response = await http.post(
            f"{bases[(number + index) % 2]}/api/chatbot/process",
            json={"customer_phone": phone, "user_input": question},
        )
        assert response.status_code == 200, response.text
        assert expected in response.json()["reply"], (phone, question, response.json())


def _answers_to(sender: str) -> list[str]:
    with FakeGraphApi.lock:
        return [sent_text(body) for body in FakeGraphApi.sent if body["to"] == sender]


async def _chat_customer(http: httpx.AsyncClient, bases: tuple[str, str], number: int) -> None:
    sender = CHAT_CUSTOMERS[number]
    for index, (question, _) in enumerate(QUESTIONS):
        body, headers = whatsapp_delivery(sender, f"wamid.load.{sender}.{index}", question)
        deliveries = 2 if index % 3 == 0 else 1  # the platform redelivers some messages
        for attempt in range(deliveries):
            response = await http.post(
                f"{bases[(number + index + attempt) % 2]}/api/whatsapp/webhook",
                content=body,
                headers=headers,
            )
            assert response.status_code == 200, response.text
        for _ in range(600):  # the customer waits for the answer before writing again
            if len(_answers_to(sender)) > index:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"{sender} got no answer to message {index}")


async def test_a_hundred_customers_on_two_processes_lose_and_repeat_nothing(
    settings: Settings, graph_api: str
) -> None:
    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        for phone in [*REST_CUSTOMERS, *(f"+{s}" for s in CHAT_CUSTOMERS)]:
            await register(client, phone, "Cliente")
    env = whatsapp_env(graph_api, burst_ms=50)
    with server(settings, env) as first, server(settings, env) as second:
        await asyncio.gather(ready(first), ready(second))
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so a request
        # never races the server closing its connection.
        limits = httpx.Limits(max_connections=120, keepalive_expiry=2)
        async with httpx.AsyncClient(timeout=120, limits=limits) as http:
            await asyncio.gather(
                *(_rest_customer(http, (first, second), n) for n in range(len(REST_CUSTOMERS))),
                *(_chat_customer(http, (first, second), n) for n in range(len(CHAT_CUSTOMERS))),
            )
        await asyncio.sleep(1.0)  # a duplicated answer would have arrived by now
        for sender in CHAT_CUSTOMERS:
            answers = _answers_to(sender)
            assert len(answers) == len(QUESTIONS), (sender, answers)
            for answer, (_, expected) in zip(answers, QUESTIONS, strict=True):
                assert expected in answer, (sender, answers)
        async with httpx.AsyncClient(base_url=first) as http:
            metrics = (await http.get("/metrics")).text
    assert 'outcome="failed"' not in metrics
    async with running_app(settings) as (_, runtime), runtime.pool.connection() as conn:
        failures = await (await conn.execute("SELECT count(*) AS n FROM send_failures")).fetchone()
        errors = await (await conn.execute("SELECT count(*) AS n FROM service_errors")).fetchone()
    assert failures is not None
    assert errors is not None
    assert (failures["n"], errors["n"]) == (0, 0)
