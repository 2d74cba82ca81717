"""Products and their stock per warehouse, and the product search."""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from pgvector.psycopg import register_vector_async
from psycopg import AsyncConnection

from storage.db import Pool
from storage.models import Product, ProductRecord, StockLine
from storage.text import STOPWORDS, fold, missing_terms, names_it, naming_terms, query_terms

log = logging.getLogger(__name__)

_PRODUCT_COLUMNS = """
    p.item_code, p.name, p.description, p.brand, p.category, p.unit, p.price, p.currency,
    p.active, coalesce(s.lines, '[]'::json) AS stock
"""

_STOCK_JOIN = """
    LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object(
                   'warehouse', st.warehouse, 'branch', st.branch, 'city', st.city,
                   'quantity', st.quantity, 'reserved', st.reserved)
                   ORDER BY st.warehouse) AS lines,
               sum(st.quantity) AS total
        FROM stock st WHERE st.item_code = p.item_code
    ) s ON true
"""


def search_text(record: ProductRecord) -> str:
    """What full-text search sees of a product: every field a shopper might type."""
    return fold(
        " ".join((record.item_code, record.name, record.brand, record.category, record.description))
    )


def _decimal(value: object) -> Decimal:
    """A JSON number as an exact decimal, without float noise ("4.0" → 4)."""
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


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
                quantity=_decimal(line["quantity"]),
                reserved=_decimal(line.get("reserved", 0)),
            )
            for line in lines
        ),
    )


class CatalogRepository:
    """Reads of the catalog. Search embeds the query with `embeddings` for its pgvector
    side; without them (or before any product is embedded) it is full-text only."""

    def __init__(
        self, pool: Pool, embeddings: Embeddings | None = None, *, max_distance: float = 0.75
    ) -> None:
        self._pool = pool
        self._embeddings = embeddings
        self._max_distance = max_distance
        self._binary_vectors: weakref.WeakSet[AsyncConnection[Any]] = weakref.WeakSet()
        self._words: dict[str, np.ndarray] = {}

    async def _send_vectors_in_binary(self, conn: AsyncConnection[Any]) -> None:
        """Query vectors go to PostgreSQL as binary floats, once a connection knows the
        vector type: written out as text, 512 floats cost about 0.6 ms of CPU per search
        to print here and as much to parse in PostgreSQL."""
        if conn not in self._binary_vectors:
            await register_vector_async(conn)
            self._binary_vectors.add(conn)

    async def get(self, item_code: str) -> Product | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                f"SELECT {_PRODUCT_COLUMNS} FROM products p {_STOCK_JOIN} "  # noqa: S608 - constants
                "WHERE p.item_code = %(code)s",
                {"code": item_code},
            )
            row = await cursor.fetchone()
        return _product(row) if row else None

    async def vocabulary(self, limit: int = 60) -> list[str]:
        """The words that recur most in active product names: what shoppers will say, for
        a speech recogniser to expect."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                SELECT word FROM products p,
                    regexp_split_to_table(lower(p.name), '[^a-z0-9áéíóúñü]+') AS word
                WHERE p.active AND length(word) >= 3 AND word !~ '^[0-9]+$'
                GROUP BY word ORDER BY count(*) DESC, word LIMIT %(limit)s
                """,
                {"limit": limit},
            )
            rows = await cursor.fetchall()
        return [str(row["word"]) for row in rows]

    async def search(
        self,
        query: str,
        *,
        in_stock_only: bool = True,
        category: str | None = None,
        brand: str | None = None,
        max_price: Decimal | None = None,
        place: str | None = None,
        limit: int = 5,
    ) -> list[Product]:
        """Hybrid search: meaning (pgvector, HNSW) and words (full-text),
        fused by reciprocal rank; an exact item code always comes first.

        `place` keeps products available in that city or branch.
        """
        query = query.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        fetch = max(limit * 4, 20) if place else max(limit * 2, 10)
        vector = None
        if self._embeddings is not None and query.strip():
            vector = np.asarray(await self._embeddings.aembed_query(query), dtype=np.float32)
        words = query_terms(query)
        terms = [f"{term}:*" for term in words]
        # One statement does it all (both searches, the fusion, the product rows): as three
        # statements and a fusion here, a search cost twice the CPU.
        async with self._pool.connection() as conn:
            await self._send_vectors_in_binary(conn)
            cursor = await conn.execute(
                _SEARCH,
                {
                    "vector": vector,
                    "fetch": fetch,
                    "max_distance": self._max_distance,
                    "margin": _DISTANCE_MARGIN,
                    "code": query.strip().upper(),
                    "every_word": " & ".join(terms),
                    "any_word": " | ".join(terms),
                    "candidates": _TEXT_CANDIDATES,
                    "rows": fetch if place else limit,
                    **_filter_values(in_stock_only, category, brand, max_price),
                },
            )
            products = [_product(row) for row in await cursor.fetchall()]
        if place:
            products = [
                p for p in products if any(s.kept_in(place) and s.available > 0 for s in p.stock)
            ]
        return _named_first(products, words)[:limit]

    async def places(self) -> list[str]:
        """The cities and branches stock is kept in: what "¿tienen arroz en Valencia?"
        may name."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT DISTINCT name FROM stock, LATERAL (VALUES (city), (branch)) AS v(name) "
                "WHERE name <> '' ORDER BY name"
            )
            rows = await cursor.fetchall()
        return [str(row["name"]) for row in rows]

    async def missing_words(self, query: str, products: Sequence[Product]) -> dict[str, list[str]]:
        """For each product (by item code), the words of `query` that say what is wanted
        and that the product does not have: "charcoal" for a gas stove. A word its name
        has in another language ("cebolla" for "Onions") is not missing: the embeddings
        compare the two words alone, where translations are near and unrelated words far.
        The brand is not compared so ("margarina" is not the brand "Margarita")."""
        terms = naming_terms(query)
        missing: dict[str, list[str]] = {}
        for product in products:
            described = " ".join(
                (product.name, product.brand, product.brand.replace(".", ""), product.category)
            )  # "harina pan": the flour of the brand "P.A.N."
            described += f" {product.description}"
            lacking = missing_terms(terms, described)
            if lacking:
                missing[product.item_code] = lacking
        if not missing or self._embeddings is None:
            return missing
        names = {p.item_code: _words_of(p.name, p) for p in products if p.item_code in missing}
        in_description = {
            p.item_code: _words_of(p.description, p) - names[p.item_code]
            for p in products
            if p.item_code in missing
        }
        wanted = {term for lacking in missing.values() for term in lacking}
        own = {w for words in (*names.values(), *in_description.values()) for w in words}
        try:
            vectors = await self._word_vectors(self._embeddings, wanted | own)
        except Exception:  # the provider is down: the words as written still tell a lot
            log.warning("word embeddings failed; comparing words as written", exc_info=True)
            return missing
        for code, lacking in list(missing.items()):
            still = [
                term
                for term in lacking
                if not any(
                    float(vectors[term] @ vectors[word]) > 1 - _SAME_WORD_DISTANCE
                    for word in names[code]
                )
                and not any(
                    float(vectors[term] @ vectors[word]) > 1 - _SAME_WORD_IN_DESCRIPTION
                    for word in in_description[code]
                )
            ]
            if still:
                missing[code] = still
            else:
                del missing[code]
        return missing

    async def _word_vectors(self, embeddings: Embeddings, words: set[str]) -> dict[str, np.ndarray]:
        """Unit vectors of single words, each embedded once per process (a catalog's names
        share a few thousand words)."""
        new = sorted(w for w in words if w not in self._words)
        if new:
            if len(self._words) + len(new) > _WORDS_KEPT:
                self._words.clear()
            for word, vector in zip(new, await embeddings.aembed_documents(new), strict=True):
                array = np.asarray(vector, dtype=np.float32)
                self._words[word] = array / (np.linalg.norm(array) or 1.0)
        return {w: self._words[w] for w in words}


_SAME_WORD_DISTANCE = 0.35
"""Cosine distance under which two single words mean the same thing: "cebolla" and
"onions" are 0.25 apart, "milk" and "leche" 0.08; "charcoal" and "cocina" 0.66, "coco"
and "oliva" 0.55 (measured with the offline embeddings)."""

_SAME_WORD_IN_DESCRIPTION = 0.25
"""Closer still for a word of the description, which says more than what the product is:
"fridge" is the "Refrigerator" of the "Nevera LG" (0.08 apart), "headphones" the
"earbuds" (0.21); "margarina" is not the "butter" (0.33)."""

_WORDS_KEPT = 50_000


def _words_of(text: str, product: Product) -> set[str]:
    """The words of a product's name (or description) that may say what it is: not its
    brand, sizes or codes."""
    brand = set(fold(product.brand).split())
    return {
        word
        for word in fold(text).split()
        if len(word) > 2 and word.isalpha() and word not in brand and word not in STOPWORDS
    }


def _named_first(products: list[Product], terms: list[str]) -> list[Product]:
    """Products whose name starts with what was asked for (the query's `terms`) come first,
    in their ranked order: "tomates" means the tomatoes before the tomato sauce, "coffee"
    the coffee before the coffee maker."""
    return sorted(products, key=lambda product: not names_it(product.name, terms, product.brand))


_FILTERS = """
    p.active
    AND (%(category)s::text IS NULL OR p.category ILIKE %(category)s)
    AND (%(brand)s::text IS NULL OR p.brand ILIKE %(brand)s)
    AND (%(max_price)s::numeric IS NULL OR p.price <= %(max_price)s)
    AND (NOT %(in_stock_only)s OR p.available > 0)
"""


def _filter_values(
    in_stock_only: bool, category: str | None, brand: str | None, max_price: Decimal | None
) -> dict[str, Any]:
    return {
        "category": f"%{category}%" if category else None,
        "brand": f"%{brand}%" if brand else None,
        "max_price": max_price,
        "in_stock_only": in_stock_only,
    }


_DISTANCE_MARGIN = 0.08
"""Cosine distance: far from the query, or this far behind the best hit, the "nearest"
product means something else."""

_TEXT_CANDIDATES = 200
"""Ranking every match of a common word is what makes full-text slow on a large catalog:
a bounded set of matches is ranked (they all match every word anyway)."""

_RRF_K = 60

# The search in one statement. Words must all match when meaning ranks too (a one-word
# overlap would outvote the vectors in the fusion); any word may match when nothing else
# does. Reciprocal rank fusion: each list adds 1 / (k + rank), ties keep the order the
# lists were read in (meaning first). Its whitespace is squeezed: psycopg caches the
# parsing of statements up to 4 KB only, and parsing this one cost 0.5 ms per search.
_SEARCH = f"""
WITH dense AS (
    SELECT p.item_code, p.embedding <=> %(vector)s::vector AS distance
    FROM products p
    WHERE %(vector)s::vector IS NOT NULL AND p.embedding IS NOT NULL AND {_FILTERS}
    ORDER BY p.embedding <=> %(vector)s::vector
    LIMIT %(fetch)s
), by_meaning AS (
    SELECT item_code, row_number() OVER (ORDER BY distance, item_code) AS rank
    FROM dense
    WHERE distance <= least(%(max_distance)s, (SELECT min(distance) FROM dense) + %(margin)s)
), by_code AS (
    SELECT p.item_code FROM products p WHERE p.item_code = %(code)s AND {_FILTERS}
), by_every_word AS (
    SELECT item_code, row_number() OVER (ORDER BY score DESC, item_code) AS rank
    FROM (
        SELECT item_code, 1e9 AS score FROM by_code
        UNION ALL
        SELECT c.item_code, ts_rank(c.search_vector, to_tsquery('simple', %(every_word)s))
        FROM (
            SELECT p.item_code, p.search_vector FROM products p
            WHERE %(every_word)s <> ''
              AND p.search_vector @@ to_tsquery('simple', %(every_word)s) AND {_FILTERS}
              AND p.item_code NOT IN (SELECT item_code FROM by_code)
            LIMIT %(candidates)s
        ) c
        ORDER BY score DESC, item_code
        LIMIT %(fetch)s
    ) hits
), by_any_word AS (
    SELECT item_code, row_number() OVER (ORDER BY score DESC, item_code) AS rank
    FROM (
        SELECT c.item_code, ts_rank(c.search_vector, to_tsquery('simple', %(any_word)s)) AS score
        FROM (
            SELECT p.item_code, p.search_vector FROM products p
            WHERE %(any_word)s <> ''
              AND NOT EXISTS (SELECT 1 FROM by_meaning)
              AND NOT EXISTS (SELECT 1 FROM by_every_word)
              AND p.search_vector @@ to_tsquery('simple', %(any_word)s) AND {_FILTERS}
            LIMIT %(candidates)s
        ) c
        ORDER BY score DESC, item_code
        LIMIT %(fetch)s
    ) hits
), fused AS (
    SELECT item_code,
           sum(1.0::float8 / ({_RRF_K} + rank)) AS score,
           min(CASE WHEN words THEN 1000000 + rank ELSE rank END) AS first_seen
    FROM (
        SELECT item_code, rank, false AS words FROM by_meaning
        UNION ALL SELECT item_code, rank, true FROM by_every_word
        UNION ALL SELECT item_code, rank, true FROM by_any_word
    ) hits
    GROUP BY item_code
), chosen AS (
    SELECT item_code, item_code IN (SELECT item_code FROM by_code) AS exact, score, first_seen
    FROM fused
    ORDER BY exact DESC, score DESC, first_seen
    LIMIT %(rows)s
)
SELECT {_PRODUCT_COLUMNS}
FROM chosen c JOIN products p ON p.item_code = c.item_code
{_STOCK_JOIN}
ORDER BY c.exact DESC, c.score DESC, c.first_seen
"""  # noqa: S608 - only constant SQL is interpolated
_SEARCH = " ".join(_SEARCH.split())
