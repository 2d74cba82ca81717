"""Products and their stock per warehouse, and the product search."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from storage.db import Pool
from storage.models import Product, ProductRecord, StockLine
from storage.text import fold, query_terms

_PRODUCT_COLUMNS = """
    p.item_code, p.name, p.description, p.brand, p.category, p.unit, p.price, p.currency,
    p.active, coalesce(s.lines, '[]'::json) AS stock
"""

_STOCK_JOIN = """
    LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object(
                   'warehouse', st.warehouse, 'branch', st.branch, 'city', st.city,
                   'quantity', st.quantity) ORDER BY st.warehouse) AS lines,
               sum(st.quantity) AS total
        FROM stock st WHERE st.item_code = p.item_code
    ) s ON true
"""


def search_text(record: ProductRecord) -> str:
    """What full-text search sees of a product: every field a shopper might type."""
    return fold(
        " ".join((record.item_code, record.name, record.brand, record.category, record.description))
    )


def _product(row: dict[str, Any]) -> Product:
    lines = row["stock"] if isinstance(row["stock"], list) else json.loads(row["stock"])
    return Product(
        item_code=row["item_code"],
        name=row["name"],
        description=row["description"],
        brand=row["brand"],
        category=row["category"],
        unit=row["unit"],
        price=row["price"],
        currency=row["currency"],
        active=row["active"],
        stock=tuple(
            StockLine(
                warehouse=line["warehouse"],
                branch=line["branch"],
                city=line["city"],
                quantity=Decimal(str(line["quantity"])),
            )
            for line in lines
        ),
    )


class CatalogRepository:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def save_products(self, records: Sequence[ProductRecord]) -> int:
        """Insert or replace products and their stock lines, all in one transaction."""
        async with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.executemany(
                """
                INSERT INTO products (item_code, name, description, brand, category, unit,
                                      price, currency, active, search_text)
                VALUES (%(item_code)s, %(name)s, %(description)s, %(brand)s, %(category)s,
                        %(unit)s, %(price)s, %(currency)s, true, %(search_text)s)
                ON CONFLICT (item_code) DO UPDATE SET
                    name = EXCLUDED.name, description = EXCLUDED.description,
                    brand = EXCLUDED.brand, category = EXCLUDED.category,
                    unit = EXCLUDED.unit, price = EXCLUDED.price,
                    currency = EXCLUDED.currency, active = true,
                    search_text = EXCLUDED.search_text, updated_at = now()
                """,
                [
                    {
                        "item_code": r.item_code,
                        "name": r.name,
                        "description": r.description,
                        "brand": r.brand,
                        "category": r.category,
                        "unit": r.unit,
                        "price": r.price,
                        "currency": r.currency,
                        "search_text": search_text(r),
                    }
                    for r in records
                ],
            )
            await cur.execute(
                "DELETE FROM stock WHERE item_code = ANY(%(codes)s)",
                {"codes": [r.item_code for r in records]},
            )
            await cur.executemany(
                """
                INSERT INTO stock (item_code, warehouse, branch, city, quantity)
                VALUES (%(item_code)s, %(warehouse)s, %(branch)s, %(city)s, %(quantity)s)
                """,
                [
                    {
                        "item_code": r.item_code,
                        "warehouse": line.warehouse,
                        "branch": line.branch,
                        "city": line.city,
                        "quantity": line.quantity,
                    }
                    for r in records
                    for line in r.stock
                ],
            )
        return len(records)

    async def get(self, item_code: str) -> Product | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                f"SELECT {_PRODUCT_COLUMNS} FROM products p {_STOCK_JOIN} "  # noqa: S608 - constants
                "WHERE p.item_code = %(code)s",
                {"code": item_code},
            )
            row = await cursor.fetchone()
        return _product(row) if row else None

    async def search(
        self,
        query: str,
        *,
        in_stock_only: bool = True,
        category: str | None = None,
        max_price: Decimal | None = None,
        limit: int = 5,
    ) -> list[Product]:
        """Active products matching any query term, best first; an exact item code wins."""
        terms = query_terms(query)
        tsquery = " | ".join(f"{term}:*" for term in terms)
        code = query.strip().upper()
        if not tsquery and not code:
            return []
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                f"SELECT {_PRODUCT_COLUMNS}, "  # noqa: S608 - constants only
                "ts_rank(p.search_vector, q.query) AS rank "
                "FROM products p "
                "CROSS JOIN (SELECT to_tsquery('simple', %(tsquery)s) AS query) q "
                f"{_STOCK_JOIN}"
                """
                WHERE p.active
                  AND (p.search_vector @@ q.query OR p.item_code = %(code)s)
                  AND (%(category)s::text IS NULL OR lower(p.category) = lower(%(category)s))
                  AND (%(max_price)s::numeric IS NULL OR p.price <= %(max_price)s)
                  AND (NOT %(in_stock_only)s OR coalesce(s.total, 0) > 0)
                ORDER BY (p.item_code = %(code)s) DESC, rank DESC, p.name
                LIMIT %(limit)s
                """,
                {
                    "tsquery": tsquery,
                    "code": code,
                    "category": category,
                    "max_price": max_price,
                    "in_stock_only": in_stock_only,
                    "limit": limit,
                },
            )
            rows = await cursor.fetchall()
        return [_product(row) for row in rows]
