"""Catalog ingestion on the embedded PostgreSQL: formats, validation, jobs, delta detection."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.embeddings import Embeddings
from pydantic import SecretStr

from api.runtime import Runtime
from api.settings import Settings
from ingestion.embeddings import Embedder, EmbeddingError, OfflineEmbeddings
from ingestion.pipeline import reembed_stale, sync_catalog
from tests.conftest import OPERATOR, register, running_app, say

pytestmark = pytest.mark.integration

App = tuple[httpx.AsyncClient, Runtime]
RECEIVER = {"X-API-Key": "test-receiver-key"}
SAMPLE = Path(__file__).parents[2] / "ingestion" / "data" / "sample_catalog.json"

FETCHER_RECORDS: list[dict[str, Any]] = [
    {
        "itemCode": "tv-sam-43",
        "itemName": 'Televisor  Samsung 43"  Crystal UHD',
        "description": "<p>Smart TV <b>4K</b> &amp; HDR</p><script>track()</script>",
        "specifitacion": "43 pulgadas\r\nWi-Fi\r\n",
        "category": "Televisores",
        "subCategory": "LED",
        "brand": "Samsung",
        "line": None,
        "itemGroupName": "TV",
        "price": "389.90",
        "priceBolivar": 14000.5,
        "availability": [
            {
                "whsName": "ALMACEN  principal",
                "branchName": "Centro",
                "stock": 4,
                "storeAddress": "Av. Urdaneta, Caracas",
            },
            {
                "whsName": "Almacen Valencia",
                "branchName": "Valencia",
                "stock": 0,
                "storeAddress": "Av. Bolívar Norte",
            },
        ],
    },
    {
        "itemCode": "CAFE-ÑU",
        "itemName": "Café Ñuñoa molido 250g",
        "description": None,
        "specifitacion": "",
        "category": "Víveres",
        "brand": "Ñuñoa",
        "price": 4.5,
        "whsName": "Almacen Principal",
        "branchName": "Centro",
        "stock": 12,
    },
    {
        "itemCode": "CAFE-ÑU",
        "itemName": "Café Ñuñoa molido 250g",
        "price": 4.5,
        "whsName": "Almacen Maracay",
        "branchName": "Maracay",
        "stock": 3,
    },
]


@pytest.fixture
def receiver_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"receiver_api_key": SecretStr("test-receiver-key")})


@pytest.fixture
async def ingest_app(receiver_settings: Settings) -> Any:
    async with running_app(receiver_settings) as pair:
        yield pair


async def _post(client: httpx.AsyncClient, payload: Any, query: str = "") -> str:
    response = await client.post(f"/api/receive-products{query}", json=payload, headers=RECEIVER)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["job_id"]
    return job_id


async def _job(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/ingest/jobs/{job_id}", headers=RECEIVER)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _ingest(app: App, payload: Any, query: str = "") -> dict[str, Any]:
    client, runtime = app
    job_id = await _post(client, payload, query)
    assert (await _job(client, job_id))["status"] == "queued"
    assert await runtime.worker.run_one()
    return await _job(client, job_id)


async def test_fetcher_records_with_their_oddities_are_normalised_and_merged(
    ingest_app: App,
) -> None:
    client, _ = ingest_app
    job = await _ingest(ingest_app, FETCHER_RECORDS)
    assert job["status"] == "done"
    assert job["counts"] == {
        "received": 3,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "embedded": 2,
        "deactivated": 0,
        "rejected": 0,
    }
    tv = (await client.get("/api/products/TV-SAM-43", headers=OPERATOR)).json()
    assert tv["name"] == 'Televisor Samsung 43" Crystal UHD'
    assert tv["description"] == "Smart TV 4K & HDR"
    assert tv["category"] == "Televisores / LED"
    assert tv["price"] == 389.9
    assert {s["warehouse"]: s["quantity"] for s in tv["stock"]} == {
        "Almacen Principal": 4,
        "Almacen Valencia": 0,
    }
    assert tv["available"] == 4
    coffee = (await client.get("/api/products/CAFE-ÑU", headers=OPERATOR)).json()
    assert coffee["brand"] == "Ñuñoa"
    assert sorted(s["branch"] for s in coffee["stock"]) == ["Centro", "Maracay"]
    assert coffee["available"] == 15


async def test_bad_records_are_rejected_with_reasons_and_good_ones_kept(
    ingest_app: App,
) -> None:
    payload = {
        "products": [
            {
                "item_code": "OK-1",
                "name": "Good one",
                "price": 1.5,
                "unit": "kg",
                "stock": [{"warehouse": "Main", "quantity": 3}],
            },
            {"name": "No code", "price": 1},
            {
                "item_code": "NEG",
                "name": "Negative",
                "price": 1,
                "stock": [{"warehouse": "Main", "quantity": -2}],
            },
            {"item_code": "NAN", "name": "Not a price", "price": "cheap"},
            {"itemCode": "F-1", "price": 3},
            42,
        ]
    }
    job = await _ingest(ingest_app, payload)
    assert job["status"] == "done"
    assert (job["counts"]["inserted"], job["counts"]["rejected"]) == (1, 5)
    reasons = {e["position"]: (e["item_code"], e["reason"]) for e in job["errors"]}
    assert reasons[1][0] is None
    assert "item_code" in reasons[1][1]
    assert reasons[2] == ("NEG", "stock.0.quantity: Input should be greater than or equal to 0")
    assert reasons[3][0] == "NAN"
    assert "price" in reasons[3][1]
    assert "itemName" in reasons[4][1]
    assert reasons[5] == (None, "record must be a JSON object")


async def test_the_endpoint_refuses_bad_keys_large_bodies_and_malformed_json(
    ingest_app: App,
) -> None:
    client, runtime = ingest_app
    url = "/api/receive-products"
    assert (await client.post(url, json=[])).status_code == 401
    assert (await client.post(url, json=[], headers={"X-API-Key": "nope"})).status_code == 401
    bad = await client.post(url, content=b'[{"item_code": ', headers=RECEIVER)
    assert bad.status_code == 400
    assert "malformed JSON" in bad.json()["detail"]
    wrong = await client.post(url, json={"items": []}, headers=RECEIVER)
    assert wrong.status_code == 422
    limit = runtime.settings.max_ingest_bytes
    huge = await client.post(url, content=b"[" + b" " * limit + b"]", headers=RECEIVER)
    assert huge.status_code == 413
    missing = await client.get(
        "/api/ingest/jobs/00000000-0000-0000-0000-000000000000", headers=OPERATOR
    )
    assert missing.status_code == 404


async def test_an_accepted_job_survives_a_restart_of_the_app(receiver_settings: Settings) -> None:
    async with running_app(receiver_settings) as (client, _):
        job_id = await _post(client, FETCHER_RECORDS)
    async with running_app(receiver_settings) as (client, runtime):
        assert await runtime.worker.run_one()
        assert (await _job(client, job_id))["status"] == "done"
        assert not await runtime.worker.run_one()


async def test_two_workers_never_process_one_job_twice(receiver_settings: Settings) -> None:
    async with (
        running_app(receiver_settings) as (client, first),
        running_app(receiver_settings) as (_, second),
    ):
        job_id = await _post(client, json.loads(SAMPLE.read_text()))
        took = await asyncio.gather(first.worker.run_one(), second.worker.run_one())
        assert sorted(took) == [False, True]
        job = await _job(client, job_id)
        assert job["status"] == "done"
        assert job["counts"]["inserted"] == 154
        async with first.pool.connection() as conn:
            row = await (
                await conn.execute(
                    "SELECT attempts FROM ingest_jobs WHERE id = %(id)s", {"id": job_id}
                )
            ).fetchone()
        assert row is not None
        assert row["attempts"] == 1


async def test_full_sync_deactivates_absent_products_and_reactivates_returning_ones(
    ingest_app: App,
) -> None:
    client, _ = ingest_app
    catalog = [
        {
            "item_code": code,
            "name": f"Product {code}",
            "price": 1,
            "stock": [{"warehouse": "Main", "quantity": 5}],
        }
        for code in ("A-1", "A-2", "A-3")
    ]
    await _ingest(ingest_app, catalog, "?full_sync=true")
    dropped = await _ingest(ingest_app, catalog[:2], "?full_sync=true")
    assert dropped["counts"]["deactivated"] == 1
    gone = (await client.get("/api/products/A-3", headers=OPERATOR)).json()
    assert gone["active"] is False
    found = (await client.get("/api/products?q=Product", headers=OPERATOR)).json()
    assert "A-3" not in {p["item_code"] for p in found}
    back = await _ingest(ingest_app, catalog, "?full_sync=true")
    assert (back["counts"]["updated"], back["counts"]["embedded"]) == (1, 0)
    assert (await client.get("/api/products/A-3", headers=OPERATOR)).json()["active"] is True


async def test_an_older_snapshot_never_overwrites_newer_stock(ingest_app: App) -> None:
    client, _ = ingest_app

    def snapshot(quantity: int) -> list[dict[str, Any]]:
        return [
            {
                "item_code": "S-1",
                "name": "Sugar",
                "price": 1,
                "stock": [{"warehouse": "Main", "quantity": quantity}],
            }
        ]

    await _ingest(ingest_app, snapshot(10), "?sequence=5")
    stale = await _ingest(ingest_app, {"products": snapshot(99), "sequence": 4})
    assert stale["counts"]["unchanged"] == 1
    assert (await client.get("/api/products/S-1", headers=OPERATOR)).json()["available"] == 10
    await _ingest(ingest_app, snapshot(7), "?sequence=6")
    assert (await client.get("/api/products/S-1", headers=OPERATOR)).json()["available"] == 7


async def _row_writes(runtime: Runtime) -> int:
    """Rows written to products and stock, by PostgreSQL's own counters."""
    async with runtime.pool.connection() as conn:
        await conn.execute("SELECT pg_stat_force_next_flush()")
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        cursor = await conn.execute(
            """
            SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::int AS n FROM pg_stat_user_tables
            WHERE relname IN ('products', 'stock')
            """
        )
        row = await cursor.fetchone()
    assert row is not None
    return int(row["n"])


async def test_an_identical_resync_writes_no_row_and_embeds_no_text(settings: Settings) -> None:
    # One connection, so the counters flushed above include every write of the sync.
    single = settings.model_copy(update={"db_pool_max_size": 1})
    items = json.loads(SAMPLE.read_text())
    async with running_app(single) as (_, runtime):
        first = await runtime.sync_catalog(items)
        assert first.counts.embedded == 154
        before = await _row_writes(runtime)
        assert before > 154
        again = await runtime.sync_catalog(items)
        assert again.counts.as_dict() == {
            "received": 154,
            "inserted": 0,
            "updated": 0,
            "unchanged": 154,
            "embedded": 0,
            "deactivated": 0,
            "rejected": 0,
        }
        assert await _row_writes(runtime) == before

        items[0] = items[0] | {"price": 9.99}
        items[1] = items[1] | {"description": "Now with a new description"}
        items[2] = items[2] | {"stock": [{"warehouse": "Main", "quantity": 1}]}
        changed = await runtime.sync_catalog(items)
        assert (changed.counts.updated, changed.counts.embedded) == (3, 1)
        assert await _row_writes(runtime) > before


class _Failing(Embeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise ConnectionError("provider down")

    def embed_query(self, text: str) -> list[float]:
        raise ConnectionError("provider down")


async def test_a_provider_failure_fails_the_sync_and_writes_nothing(app: App) -> None:
    _, runtime = app
    failing = Embedder("broken", 512, _Failing(), attempts=2)
    with pytest.raises(EmbeddingError, match="provider down"):
        await sync_catalog(
            json.loads(SAMPLE.read_text()),
            writer=runtime.catalog_writer,
            embedder=failing,
            version=1,
        )
    assert await runtime.catalog_writer.fingerprints(["GR-APPLE"]) == {}


async def test_a_new_embedding_model_re_embeds_the_catalog_once(app: App) -> None:
    _, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    other = replace(runtime.embedder, name="another-model")
    assert await reembed_stale(runtime.catalog_writer, other) == 154
    assert await reembed_stale(runtime.catalog_writer, other) == 0
    wrong = Embedder("wrong-size", 3, OfflineEmbeddings())
    with pytest.raises(EmbeddingError, match="returned 512 dimensions, expected 3"):
        await wrong.embed(["hello"])


async def test_product_vectors_are_stored_in_their_rows(app: App) -> None:
    """A search compares every vector it reads: one fetched from the TOAST table costs a
    second lookup (migration 010)."""
    _, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    async with runtime.pool.connection() as conn:
        toast = await (
            await conn.execute(
                "SELECT reltoastrelid::regclass::text AS name FROM pg_class "
                "WHERE relname = 'products'"
            )
        ).fetchone()
        assert toast is not None
        counted = await (
            await conn.execute(f"SELECT count(*) AS chunks FROM {toast['name']}")  # noqa: S608
        ).fetchone()
        vectors = await (
            await conn.execute("SELECT count(embedding) AS n FROM products")
        ).fetchone()
    assert counted is not None
    assert vectors is not None
    assert vectors["n"] == 154
    assert counted["chunks"] == 0


async def test_search_finds_products_across_languages_recall_at_3(app: App) -> None:
    import yaml

    _, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    path = Path(__file__).parents[1] / "data" / "search_queries.yaml"
    queries = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(queries) >= 40
    hits = 0
    for case in queries:
        found = await runtime.services.catalog.search(case["query"], in_stock_only=False)
        hits += case["expect"] in [p.item_code for p in found[:3]]
    assert hits / len(queries) >= 0.9


async def test_a_product_named_by_the_query_comes_before_ones_that_only_mention_it(
    app: App,
) -> None:
    _, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    catalog = runtime.services.catalog
    for query, first, mentioning in [
        ("tomates", "Tomates", "Salsa de tomate 397g"),
        ("coffee", "Coffee beans 1kg", "Cafetera 12 tazas"),
        ("leche", "Leche entera 1L", "Chocolate de leche"),
        ("apples", "Red apples", "Apple MacBook Air M2"),  # a brand is not the thing
        ("harina pan", "Harina de maíz precocida 1kg", "Pan integral"),  # brand "P.A.N."
    ]:
        names = [p.name for p in await catalog.search(query, in_stock_only=False, limit=10)]
        assert first in names, (query, names)
        assert mentioning in names, (query, names)
        assert names.index(first) < names.index(mentioning), (query, names)


async def test_the_words_a_product_lacks_are_told_apart_from_a_translation(app: App) -> None:
    _, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    catalog = runtime.services.catalog

    async def missing(query: str, code: str) -> list[str]:
        product = await catalog.get(code)
        assert product is not None
        return (await catalog.missing_words(query, [product])).get(code, [])

    assert await missing("charcoal", "EL-STOVE") == ["charcoal"]  # only the nearest thing
    assert await missing("cebolla", "GR-ONION") == []  # the name says it in English
    assert await missing("2 kilos de manzanas", "GR-APPLE") == []
    assert await missing("beer", "GR-BEER") == []  # the description says it
    assert await missing("margarina", "GR-TUNA") == ["margarina"]  # not the brand Margarita
    assert await missing("margarina", "GR-BUTTER") == ["margarina"]
    assert await missing("aceite de coco", "GR-TUNA") == ["coco"]
    assert await missing("harina pan", "GR-HARINA-PAN") == []  # the brand "P.A.N."
    assert await missing("fridge", "EL-FRIDGE-LG") == []  # "Nevera", a "Refrigerator"


async def test_the_bot_lists_what_has_the_words_and_adds_nothing_only_similar(app: App) -> None:
    client, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    phone = "+15550300311"
    await register(client, phone, "Ana", "Calle 5, Caracas")
    await say(client, phone, "hi")
    fridges = await say(client, phone, "¿tienen nevera?")
    assert "Nevera LG 11 pies" in fridges["reply"]
    assert "Pollo entero" not in fridges["reply"]  # found by meaning, without the word
    laptops = await say(client, phone, "ok, I need a new laptop for work")
    # "new" and "for work" name nothing; the one named "Laptop …" is sold out, and two
    # other laptops are not: which one?
    assert laptops["cart"] == []
    assert "Lenovo IdeaPad 3" in laptops["reply"]
    assert "Apple MacBook Air" in laptops["reply"]
    grill = await say(client, phone, "charcoal, sausages and beer")
    assert [line["item_code"] for line in grill["cart"]] == ["GR-SAUSAGE", "GR-BEER"]
    assert 'The closest I have for "charcoal"' in grill["reply"]


async def test_a_word_no_product_has_is_said_and_the_rest_is_searched(app: App) -> None:
    client, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    phone = "+15550300312"
    await register(client, phone, "Ana", "Calle 5, Caracas")
    await say(client, phone, "hi")
    # The nearest laptop by meaning is sold out: the others in stock are still found, and
    # none of them says "gaming".
    gaming = await say(client, phone, "do you sell laptops for gaming?")
    assert gaming["reply"].startswith('Nothing I have mentions "gaming". The closest:')
    assert "Lenovo IdeaPad 3" in gaming["reply"]
    assert "Apple MacBook Air" in gaming["reply"]
    prices = await say(client, phone, "how much are they?")
    assert prices["reply"].startswith("Here are their prices:")


async def test_a_question_ending_in_a_city_searches_there(app: App) -> None:
    client, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    places = await runtime.services.catalog.places()
    assert {"Valencia", "Maracay", "Centro"} <= set(places)
    phone = "+15550300313"
    await register(client, phone, "Ana", "Calle 5, Caracas")
    await say(client, phone, "hola")
    rice = await say(client, phone, "¿tienen arroz en valencia?")
    assert rice["reply"].startswith("En Valencia:")
    assert "Arroz blanco 1kg (Mary) — $1.60, 100 disponibles" in rice["reply"]
    tuna = await say(client, phone, "¿tienen atún en aceite?")  # "aceite" is no place
    assert "Atún en aceite" in tuna["reply"]
    assert not tuna["reply"].startswith("En ")


async def test_search_filters_stock_category_brand_price_and_place(app: App) -> None:
    _, runtime = app
    await runtime.sync_catalog(json.loads(SAMPLE.read_text()))
    catalog = runtime.services.catalog
    fans = await catalog.search("ventilador de pie", in_stock_only=True)
    assert "EL-FAN-18" not in [p.item_code for p in fans]
    assert all(p.available > 0 for p in fans)
    cheap = await catalog.search("televisor", in_stock_only=False, max_price=Decimal(300))
    assert cheap
    assert all(p.price <= 300 for p in cheap)
    samsung = await catalog.search("phone", in_stock_only=False, brand="samsung")
    assert samsung
    assert all(p.brand == "Samsung" for p in samsung)
    in_valencia = await catalog.search("arroz", place="Valencia")
    assert in_valencia
    assert all(
        any(s.branch == "Valencia" and s.available > 0 for s in p.stock) for p in in_valencia
    )
    by_code = await catalog.search("EL-TV-TCL-43", in_stock_only=False)
    assert by_code[0].item_code == "EL-TV-TCL-43"
