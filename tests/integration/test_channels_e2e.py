"""End to end: two app processes, one Redis, a fake Graph API, twenty customers in bursts."""

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

pytestmark = pytest.mark.integration


async def test_twenty_customers_in_bursts_on_two_processes_get_one_answer_per_burst(
    settings: Settings,
    graph_api: str,
) -> None:
    env = whatsapp_env(graph_api, burst_ms=400)
    senders = [f"58414600{n:04d}" for n in range(20)]
    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        for sender in senders:
            await register(client, f"+{sender}", "Cliente")
    bursts = [["hola", "¿tienen arroz?", "gracias"], ["y otra cosa", "¿tienen café?"]]
    with server(settings, env) as first, server(settings, env) as second:
        await asyncio.gather(ready(first), ready(second))
        async with httpx.AsyncClient(timeout=30) as http:
            for burst_number, burst in enumerate(bursts):
                deliveries = []
                for index, sender in enumerate(senders):
                    for position, text in enumerate(burst):
                        message_id = f"wamid.{sender}.{burst_number}.{position}"
                        deliveries.append((index + position, message_id, sender, text))
                        if (index + position) % 3 == 0:  # the platform redelivers some
                            deliveries.append((index + position + 1, message_id, sender, text))
                acks = []
                for turn, (target, message_id, sender, text) in enumerate(deliveries):
                    body, headers = whatsapp_delivery(sender, message_id, text)
                    base = (first, second)[target % 2]
                    acks.append(
                        http.post(f"{base}/api/whatsapp/webhook", content=body, headers=headers)
                    )
                    if turn % 20 == 19:
                        await asyncio.gather(*acks)
                        acks = []
                responses = [*await asyncio.gather(*acks)]
                assert all(r.status_code == 200 for r in responses)
                for _ in range(300):  # wait for every burst's answer
                    await asyncio.sleep(0.1)
                    if len(FakeGraphApi.sent) >= len(senders) * (burst_number + 1):
                        break
                await asyncio.sleep(1.5)  # anything extra would have arrived by now
    by_customer: dict[str, list[str]] = {}
    for body in FakeGraphApi.sent:
        by_customer.setdefault(body["to"], []).append(sent_text(body))
    assert sorted(by_customer) == sorted(senders)
    for sender, answers in by_customer.items():
        assert len(answers) == 2, (sender, answers)
        assert "Arroz" in answers[0], answers
        assert "Café" in answers[1], answers
    async with running_app(settings) as (_, runtime), runtime.pool.connection() as conn:
        row = await (
            await conn.execute(
                "SELECT count(*) AS n, count(DISTINCT message_id) AS distinct_ids "
                "FROM processed_messages WHERE channel = 'whatsapp'"
            )
        ).fetchone()
    assert row is not None
    assert (row["n"], row["distinct_ids"]) == (100, 100)
