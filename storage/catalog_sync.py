"""The write side of catalog sync: fingerprints to diff against, and one atomic apply.

Only rows that changed are written: the pipeline compares content hashes first, and the
statements here touch nothing else (an identical re-sync updates zero rows).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import AsyncCursor
from psycopg.rows import DictRow

from storage.catalog import search_text
from storage.db import Pool
from storage.models import ProductRecord


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the stored product looked like when last written."""

    text_hash: str | None
    data_hash: str | None
    embedding_model: str | None
    active: bool
    stock_version: int


@dataclass(frozen=True, slots=True)
class ProductWrite:
    record: ProductRecord
    text_hash: str
    data_hash: str
    embedding: Sequence[float] | None
    """None keeps the stored vector (the embedded text did not change)."""
    embedding_model: str | None
    write_stock: bool


@dataclass(frozen=True, slots=True)
class ApplyResult:
    written: int
    reactivated: int
    deactivated: int


_ANALYZE_AFTER_ROWS = 1_000

_PRODUCT_COLUMNS = (
    "item_code",
    "name",
    "description",
    "specifications",
    "brand",
    "category",
    "unit",
    "price",
    "currency",
    "search_text",
    "text_hash",
    "data_hash",
    "embedding",
    "embedding_model",
    "stock_version",
)


class CatalogWriter:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def fingerprints(self, codes: Sequence[str]) -> dict[str, Fingerprint]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                SELECT item_code, text_hash, data_hash, embedding_model, active, stock_version
                FROM products WHERE item_code = ANY(%(codes)s)
                """,
                {"codes": list(codes)},
            )
            rows = await cursor.fetchall()
        return {
            row["item_code"]: Fingerprint(
                row["text_hash"],
                row["data_hash"],
                row["embedding_model"],
                row["active"],
                row["stock_version"],
            )
            for row in rows
        }

    async def apply(
        self,
        writes: Sequence[ProductWrite],
        *,
        batch_codes: Sequence[str],
        version: int,
        full_sync: bool,
    ) -> ApplyResult:
        """Write changed products and their stock, reactivate returning ones, and (full sync)
        deactivate the absent ones: all in one transaction, or nothing."""
        async with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            written = reactivated = deactivated = 0
            if writes:
                await cur.execute(
                    """
                    CREATE TEMP TABLE incoming_products (
                        item_code text, name text, description text, specifications text,
                        brand text, category text, unit text, price numeric, currency text,
                        search_text text, text_hash text, data_hash text, embedding vector,
                        embedding_model text, stock_version bigint
                    ) ON COMMIT DROP
                    """
                )
                columns = ", ".join(_PRODUCT_COLUMNS)
                async with cur.copy(f"COPY incoming_products ({columns}) FROM STDIN") as copy:
                    for w in writes:
                        r = w.record
                        await copy.write_row(
                            (
                                r.item_code,
                                r.name,
                                r.description,
                                r.specifications,
                                r.brand,
                                r.category,
                                r.unit,
                                r.price,
                                r.currency,
                                search_text(r),
                                w.text_hash,
                                w.data_hash,
                                json.dumps(list(w.embedding)) if w.embedding is not None else None,
                                w.embedding_model,
                                version,
                            )
                        )
                await cur.execute(
                    """
                    INSERT INTO products AS p (item_code, name, description, specifications,
                        brand, category, unit, price, currency, search_text, text_hash,
                        data_hash, embedding, embedding_model, stock_version)
                    SELECT item_code, name, description, specifications, brand, category, unit,
                        price, currency, search_text, text_hash, data_hash, embedding,
                        embedding_model, stock_version
                    FROM incoming_products
                    ON CONFLICT (item_code) DO UPDATE SET
                        name = EXCLUDED.name, description = EXCLUDED.description,
                        specifications = EXCLUDED.specifications, brand = EXCLUDED.brand,
                        category = EXCLUDED.category, unit = EXCLUDED.unit,
                        price = EXCLUDED.price, currency = EXCLUDED.currency,
                        search_text = EXCLUDED.search_text, text_hash = EXCLUDED.text_hash,
                        data_hash = EXCLUDED.data_hash,
                        embedding = coalesce(EXCLUDED.embedding, p.embedding),
                        embedding_model = coalesce(EXCLUDED.embedding_model, p.embedding_model),
                        stock_version = EXCLUDED.stock_version,
                        active = true, updated_at = now()
                    WHERE p.stock_version <= EXCLUDED.stock_version
                    """
                )
                written = cur.rowcount
                stock_codes = [w.record.item_code for w in writes if w.write_stock]
                if stock_codes:
                    await self._replace_stock(cur, writes, stock_codes, version)
            if batch_codes:
                await cur.execute("CREATE TEMP TABLE batch_codes (item_code text) ON COMMIT DROP")
                async with cur.copy("COPY batch_codes (item_code) FROM STDIN") as copy:
                    for code in batch_codes:
                        await copy.write_row((code,))
                await cur.execute(
                    """
                    UPDATE products p SET active = true, updated_at = now()
                    FROM batch_codes b
                    WHERE p.item_code = b.item_code AND NOT p.active
                      AND p.stock_version <= %(version)s
                    """,
                    {"version": version},
                )
                reactivated = cur.rowcount
                if full_sync:
                    await cur.execute(
                        """
                        UPDATE products p SET active = false, updated_at = now()
                        WHERE p.active AND p.stock_version <= %(version)s
                          AND NOT EXISTS (SELECT 1 FROM batch_codes b
                                          WHERE b.item_code = p.item_code)
                        """,
                        {"version": version},
                    )
                    deactivated = cur.rowcount
        return ApplyResult(written, reactivated, deactivated)

    async def tidy(self, *, rows_written: int) -> None:
        """After a sync: merge the full-text index's pending entries (searches scan them
        one by one until then) and, after a large one, refresh the planner's statistics."""
        if rows_written <= 0:
            return
        async with self._pool.connection() as conn:
            await conn.execute("SELECT gin_clean_pending_list('products_search_vector_idx')")
            if rows_written >= _ANALYZE_AFTER_ROWS:
                await conn.execute("ANALYZE products")

    @staticmethod
    async def _replace_stock(
        cur: AsyncCursor[DictRow], writes: Sequence[ProductWrite], codes: list[str], version: int
    ) -> None:
        await cur.execute(
            """
            CREATE TEMP TABLE incoming_stock (
                item_code text, warehouse text, branch text, city text, quantity numeric
            ) ON COMMIT DROP
            """
        )
        async with cur.copy(
            "COPY incoming_stock (item_code, warehouse, branch, city, quantity) FROM STDIN"
        ) as copy:
            for w in writes:
                if w.write_stock:
                    for line in w.record.stock:
                        await copy.write_row(
                            (
                                w.record.item_code,
                                line.warehouse,
                                line.branch,
                                line.city,
                                line.quantity,
                            )
                        )
        # Only products this batch actually wrote (a newer snapshot may have won the race).
        await cur.execute(
            """
            DELETE FROM stock s USING products p
            WHERE s.item_code = p.item_code AND p.item_code = ANY(%(codes)s)
              AND p.stock_version = %(version)s
            """,
            {"codes": codes, "version": version},
        )
        await cur.execute(
            """
            INSERT INTO stock (item_code, warehouse, branch, city, quantity)
            SELECT i.item_code, i.warehouse, i.branch, i.city, i.quantity
            FROM incoming_stock i JOIN products p ON p.item_code = i.item_code
            WHERE p.stock_version = %(version)s
            """,
            {"version": version},
        )
        # Units held by open orders stay held: a re-sync never resurrects sold units.
        await cur.execute(
            """
            UPDATE stock s SET reserved = r.units
            FROM (SELECT item_code, warehouse, sum(quantity) AS units FROM reservations
                  WHERE item_code = ANY(%(codes)s) GROUP BY item_code, warehouse) r
            WHERE s.item_code = r.item_code AND s.warehouse = r.warehouse
            """,
            {"codes": codes},
        )
        await cur.execute(
            """
            UPDATE products p
            SET available = coalesce((SELECT sum(greatest(s.quantity - s.reserved, 0))
                                      FROM stock s WHERE s.item_code = p.item_code), 0)
            WHERE p.item_code = ANY(%(codes)s) AND p.stock_version = %(version)s
            """,
            {"codes": codes, "version": version},
        )

    async def embedding_dimensions(self) -> int | None:
        """The dimension of the catalog's vector column (None if it has no fixed one)."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                SELECT atttypmod FROM pg_attribute
                WHERE attrelid = 'products'::regclass AND attname = 'embedding'
                """
            )
            row = await cursor.fetchone()
        return int(row["atttypmod"]) if row and row["atttypmod"] > 0 else None

    async def resize_embeddings(self, dimensions: int) -> None:
        """Switch the vector column to a new dimension. The old vectors are dropped (they
        belong to another model's space) so the column never mixes dimensions."""
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute("DROP INDEX IF EXISTS products_embedding_hnsw_idx")
            await conn.execute(
                f"ALTER TABLE products ALTER COLUMN embedding TYPE vector({int(dimensions)}) "
                "USING NULL"
            )
            await conn.execute("UPDATE products SET embedding_model = NULL")
            await conn.execute(
                "CREATE INDEX products_embedding_hnsw_idx ON products "
                "USING hnsw (embedding vector_cosine_ops)"
            )

    async def texts_to_embed(self, model: str, limit: int) -> list[ProductRecord]:
        """Products whose vector is missing or from another model."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                SELECT item_code, name, description, specifications, brand, category, price
                FROM products
                WHERE embedding IS NULL OR embedding_model IS DISTINCT FROM %(model)s
                ORDER BY item_code LIMIT %(limit)s
                """,
                {"model": model, "limit": limit},
            )
            rows = await cursor.fetchall()
        return [
            ProductRecord(
                item_code=row["item_code"],
                name=row["name"],
                price=row["price"],
                description=row["description"],
                specifications=row["specifications"],
                brand=row["brand"],
                category=row["category"],
            )
            for row in rows
        ]

    async def set_embeddings(
        self, model: str, vectors: Sequence[tuple[str, Sequence[float]]]
    ) -> None:
        async with self._pool.connection() as conn, conn.cursor() as cur:
            await cur.executemany(
                """
                UPDATE products SET embedding = %(vector)s::vector, embedding_model = %(model)s
                WHERE item_code = %(code)s
                """,
                [
                    {"code": code, "vector": json.dumps(list(v)), "model": model}
                    for code, v in vectors
                ],
            )
