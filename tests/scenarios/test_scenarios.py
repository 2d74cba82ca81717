"""Plays every conversation file in this folder through the REST API on a fresh database.

A scenario whose `needs:` include a capability not built yet is skipped, and says which.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.settings import Settings
from tests.conftest import OPERATOR, SCENARIOS, load_catalog, running_app, say

BUILT = {"verification", "handoff", "search", "ordering", "orders"}

pytestmark = pytest.mark.scenario


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _scenarios() -> list[Any]:
    params = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        missing = sorted(set(spec.get("needs", [])) - BUILT)
        marks = (
            [pytest.mark.skip(reason=f"needs {', '.join(missing)}: not built yet")]
            if missing
            else []
        )
        params.append(pytest.param(path, spec, id=path.stem, marks=marks))
    return params


def _check_turn(number: int, turn: dict[str, Any], body: dict[str, Any]) -> None:
    expect = turn.get("expect", {})
    where = f"turn {number} ({turn['user']!r}) replied {body['reply']!r}"
    reply = _plain(body["reply"])
    if "stage" in expect:
        assert body["stage"] == expect["stage"], where
    if "paused" in expect:
        assert body["paused"] is expect["paused"], where
    if expect.get("reply_empty"):
        assert body["reply"] == "", where
    if "reply_contains_any" in expect:
        assert any(_plain(str(s)) in reply for s in expect["reply_contains_any"]), where
    for fragment in expect.get("reply_contains_all", []):
        assert _plain(str(fragment)) in reply, where
    for fragment in expect.get("reply_not_contains", []):
        assert _plain(str(fragment)) not in reply, where
    if "cart" in expect:
        got = sorted((line["item_code"], float(line["quantity"])) for line in body["cart"])
        want = sorted((line["item_code"], float(line["quantity"])) for line in expect["cart"])
        assert got == want, where


@pytest.mark.parametrize(("path", "spec"), _scenarios())
async def test_scenario(path: Path, spec: dict[str, Any], settings: Settings) -> None:
    phone = spec["customer_phone"]
    async with running_app(settings) as (client, runtime):
        await load_catalog(runtime, path.parent / spec.get("catalog", "catalog.json"))
        known = spec.get("known_customer")
        if known:
            response = await client.put(f"/api/customers/{phone}", json=known, headers=OPERATOR)
            assert response.status_code == 200, response.text
        for number, turn in enumerate(spec["turns"], 1):
            body = await say(client, phone, turn["user"])
            _check_turn(number, turn, body)
        after = spec.get("after", {})
        unchecked = set(after) - {"customer", "available", "orders"}
        assert not unchecked, f"the runner cannot check {unchecked} yet"
        if "customer" in after:
            response = await client.get(f"/api/customers/{phone}", headers=OPERATOR)
            assert response.status_code == 200, response.text
            customer = response.json()
            assert customer["name"] == after["customer"]["name"]
            if "address_contains" in after["customer"]:
                assert _plain(after["customer"]["address_contains"]) in _plain(customer["address"])
        if "orders" in after:
            response = await client.get(
                "/api/orders", params={"customer_phone": phone}, headers=OPERATOR
            )
            assert response.status_code == 200, response.text
            got = [
                (o["status"], sorted((i["item_code"], i["quantity"]) for i in o["items"]))
                for o in response.json()
            ]
            want = [
                (o["status"], sorted((i["item_code"], float(i["quantity"])) for i in o["items"]))
                for o in after["orders"]
            ]
            assert got == want
        for item_code, units in after.get("available", {}).items():
            response = await client.get(f"/api/products/{item_code}", headers=OPERATOR)
            assert response.status_code == 200, response.text
            assert response.json()["available"] == units, item_code
