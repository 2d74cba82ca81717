"""Product search latency at catalog scale, and HNSW recall against exact search.

    python bench/search.py [--products 100000] [--queries 200]

Builds a catalog of N products on an embedded PostgreSQL (or DATABASE_URL). Embedding
100,000 texts with the offline model would take longer than the benchmark itself, so the
vectors are the offline embeddings of 5,000 distinct product texts, each reused with
some noise: the index holds N distinct, realistically clustered vectors. Then it times
the assistant's full hybrid search (query embedding, pgvector,
full-text, fusion, stock) and compares HNSW's top 10 with an exact scan's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from ingestion.embeddings import _cached_query_vector, build_embedder
from ingestion.pipeline import embedded_text
from storage.catalog import CatalogRepository, search_text
from storage.db import HNSW_EF_SEARCH, Pool, migrate, open_pool
from storage.embedded import EmbeddedPostgres
from storage.models import ProductRecord

KINDS = [
    ("Televisor", "Televisores"),
    ("Smart TV", "Televisores"),
    ("Celular", "Celulares"),
    ("Smartphone", "Celulares"),
    ("Licuadora", "Electrodomésticos"),
    ("Blender", "Appliances"),
    ("Arroz", "Víveres"),
    ("Rice", "Groceries"),
    ("Aceite de girasol", "Víveres"),
    ("Detergente", "Limpieza"),
    ("Audífonos", "Audio"),
    ("Headphones", "Audio"),
    ("Nevera", "Línea blanca"),
    ("Laptop", "Computadoras"),
    ("Café molido", "Víveres"),
    ("Ventilador", "Hogar"),
]
BRANDS = [
    "Samsung",
    "LG",
    "Sony",
    "Xiaomi",
    "Oster",
    "Philips",
    "Mary",
    "Vatel",
    "Ace",
    "JBL",
    "Lenovo",
    "HP",
    "Fama de America",
    "Taurus",
    "Mabe",
    "Honor",
]
QUERIES = [
    "televisor de 32 pulgadas",
    "smart tv",
    "cheap phone",
    "celular Samsung",
    "licuadora Oster",
    "blender",
    "arroz blanco",
    "rice",
    "aceite",
    "detergente",
    "wireless headphones",
    "audífonos JBL",
    "nevera LG",
    "refrigerator",
    "laptop HP",
    "computadora portátil",
    "café",
    "coffee",
    "ventilador de pie",
    "standing fan",
]


def products(count: int, seed: int = 3) -> list[ProductRecord]:
    rng = random.Random(seed)
    out = []
    for number in range(count):
        kind, category = KINDS[number % len(KINDS)]
        brand = BRANDS[rng.randrange(len(BRANDS))]
        out.append(
            ProductRecord(
                item_code=f"P-{number:06d}",
                name=f"{kind} {brand} {number % 977}",
                price=round(rng.uniform(1, 900), 2),  # type: ignore[arg-type]
                description=f"{kind} {brand}, modelo {number % 977}",
                brand=brand,
                category=category,
            )
        )
    return out


async def load(pool: Pool, records: list[ProductRecord], distinct: int) -> None:
    embedder = build_embedder("offline")
    base = np.array(
        await embedder.embed([embedded_text(r) for r in records[:distinct]]), dtype=np.float32
    )
    rng = np.random.default_rng(5)
    async with pool.connection() as conn:
        await conn.execute("DROP INDEX IF EXISTS products_embedding_hnsw_idx")
        async with (
            conn.cursor() as cur,
            cur.copy(
                "COPY products (item_code, name, description, brand, category, unit, price, "
                "currency, search_text, text_hash, data_hash, embedding, embedding_model, "
                "available) FROM STDIN"
            ) as copy,
        ):
            for index, r in enumerate(records):
                vector = base[index % distinct] + rng.normal(0, 0.04, 512).astype(np.float32)
                vector /= np.linalg.norm(vector)
                await copy.write_row(
                    (
                        r.item_code,
                        r.name,
                        r.description,
                        r.brand,
                        r.category,
                        "unit",
                        r.price,
                        "USD",
                        search_text(r),
                        "",
                        "",
                        json.dumps(vector.tolist()),
                        embedder.name,
                        index % 7,
                    )
                )
        started = time.perf_counter()
        await conn.execute(
            "CREATE INDEX products_embedding_hnsw_idx ON products "
            "USING hnsw (embedding vector_cosine_ops)"
        )
        print(f"HNSW index built in {time.perf_counter() - started:.0f} s")
        await conn.execute("SELECT gin_clean_pending_list('products_search_vector_idx')")
        # A catalog in service is vacuumed: measure that, not autovacuum catching up
        # with 100,000 fresh rows while the queries are timed.
        await conn.execute("VACUUM (ANALYZE) products")


async def recall_at_10(pool: Pool, queries: list[list[float]]) -> float:
    found = 0
    async with pool.connection() as conn:
        await conn.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")  # as the app's engine
        for vector in queries:
            literal = json.dumps(vector)
            async with conn.transaction():
                await conn.execute("SET LOCAL enable_indexscan = off")
                exact = await (
                    await conn.execute(
                        "SELECT item_code FROM products ORDER BY embedding <=> %(v)s::vector "
                        "LIMIT 10",
                        {"v": literal},
                    )
                ).fetchall()
            approximate = await (
                await conn.execute(
                    "SELECT item_code FROM products ORDER BY embedding <=> %(v)s::vector LIMIT 10",
                    {"v": literal},
                )
            ).fetchall()
            found += len({r["item_code"] for r in exact} & {r["item_code"] for r in approximate})
    return found / (10 * len(queries))


async def bare_vector_query(pool: Pool, vectors: list[list[float]], count: int) -> list[float]:
    """The floor: the pgvector query alone through psycopg, its vector already computed."""
    latencies = []
    async with pool.connection() as conn:
        await conn.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
        for number in range(count):
            literal = json.dumps(vectors[number % len(vectors)])
            start = time.perf_counter()
            await conn.execute(
                "SELECT item_code FROM products ORDER BY embedding <=> %(v)s::vector LIMIT 10",
                {"v": literal},
            )
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    postgres = None
    scratch = Path(tempfile.mkdtemp(prefix="bench-search-"))
    url = os.environ.get("DATABASE_URL")
    if not url:
        postgres = EmbeddedPostgres.start(scratch, delete_on_stop=True)
        url = postgres.uri
    pool = await open_pool(url, max_size=4)
    embedder = build_embedder("offline")
    try:
        await migrate(pool)
        started = time.perf_counter()
        await load(pool, products(args.products), distinct=min(5000, args.products))
        print(f"{args.products:,} products loaded in {time.perf_counter() - started:.0f} s")
        catalog = CatalogRepository(pool, embedder.service)
        for query in QUERIES:  # warm up caches and the query encoder
            await catalog.search(query)
        latencies = []
        for number in range(args.queries):
            _cached_query_vector.cache_clear()  # every timed query is embedded afresh
            start = time.perf_counter()
            await catalog.search(QUERIES[number % len(QUERIES)], limit=5)
            latencies.append((time.perf_counter() - start) * 1000)
        query_vectors = await embedder.embed(QUERIES)
        floor = await bare_vector_query(pool, query_vectors, args.queries)
        recall = await recall_at_10(pool, query_vectors)
    finally:
        await pool.close()
        if postgres:
            postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"hybrid search over {args.products:,} products, {args.queries} queries: "
        f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms (target p95 <= 20 ms)"
    )
    floor_cuts = statistics.quantiles(floor, n=100)
    print(
        f"floor, the bare pgvector query (vector given, psycopg): "
        f"p50 {floor_cuts[49]:.1f} ms, p95 {floor_cuts[94]:.1f} ms"
    )
    print(f"HNSW recall@10 against exact search: {recall:.3f} (target >= 0.95)")


if __name__ == "__main__":
    asyncio.run(main())
