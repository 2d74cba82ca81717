"""Read-only catalog tools: search and product details, with live availability."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Annotated, Any, Literal

from langchain_core.tools import tool
from pydantic import Field

from agent.tools.arguments import run_services
from storage.interfaces import CatalogStore
from storage.models import Product
from storage.text import fold, naming_terms


def quantity_text(value: Decimal) -> str:
    """8.000 → "8", 1.500 → "1.5"."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def product_summary(product: Product) -> dict[str, Any]:
    """What a shopper needs to choose: name, price, unit and where it is available."""
    return {
        "item_code": product.item_code,
        "name": product.name,
        "brand": product.brand,
        "category": product.category,
        "unit": product.unit,
        "price": f"{product.price:.2f}",
        "currency": product.currency,
        "available": quantity_text(product.available),
        "in_stock": product.available > 0,
        "availability": [
            {"branch": line.branch, "city": line.city, "available": quantity_text(line.available)}
            for line in product.stock
            if line.available > 0
        ],
    }


def _hit(product: Product, missing: dict[str, list[str]], place: str | None) -> dict[str, Any]:
    """A search result: the product's summary (its availability in `place`, when the
    search was for one), and the query's words it lacks, if any."""
    if place:
        product = replace(
            product, stock=tuple(line for line in product.stock if line.kept_in(place))
        )
    summary = product_summary(product)
    if product.item_code in missing:
        summary["missing"] = missing[product.item_code]
    return summary


_AT_PLACE = re.compile(
    r"^(.*\S)\s+(?:(?:available|disponibles?)\s+)?(?:in|at|en)\s+(?:the\s+|la\s+|el\s+)?"
    r"([^\W\d][\w .'-]{1,40}?)[\s?!.]*$",
    re.IGNORECASE,
)


async def _place_in(query: str, catalog: CatalogStore) -> tuple[str, str | None]:
    """A query that ends naming a city or branch ("arroz en Valencia", "iphone available
    in Maracay"): what to search for, and that place as the catalog spells it."""
    match = _AT_PLACE.match(query.strip())
    if match is None:
        return query, None
    named = fold(match.group(2))
    place = next((p for p in await catalog.places() if fold(p) == named), None)
    return (match.group(1), place) if place else (query, None)


def _lacked_by_all(products: list[Product], missing: dict[str, list[str]]) -> set[str]:
    """The query's words that none of the products has."""
    lacking = [set(missing.get(p.item_code, ())) for p in products]
    return set.intersection(*lacking) if lacking else set()


def _without(query: str, words: set[str]) -> str:
    """The query without the words no product has ("laptops for gaming" → "laptops for"),
    or "" when nothing would be left to search for, or nothing would change."""
    if not words:
        return ""
    kept = [word for word in query.split() if not set(naming_terms(word)) & words]
    return " ".join(kept) if naming_terms(" ".join(kept)) else ""


_SCREEN_SIZE = re.compile(
    r"\b(\d{2,3})\s*(?:\"|”|''|-?(?:inch(?:es)?|in|pulgadas?|pulg)\b)", re.IGNORECASE
)
"""A screen's size as shoppers and catalogs write it: 55", 55 inch, 55 pulgadas."""


@dataclass(frozen=True)
class _Sized:
    fitting: list[Product]
    unmatched: str = ""
    """The size asked for, when no product found is that size."""


def _sized(query: str, products: list[Product]) -> _Sized:
    """A size asked for ("un televisor de 55 pulgadas") leaves out the products of other
    sizes, which the search by meaning ranks as near (a 50" TV is much like a 55" one);
    when none is that size, they all stay, and the size is said to be missing."""
    wanted = set(_SCREEN_SIZE.findall(query))
    if not wanted:
        return _Sized(products)
    sizes = {p.item_code: set(_SCREEN_SIZE.findall(p.name)) for p in products}
    if not any(sizes[p.item_code] & wanted for p in products):
        asked = _SCREEN_SIZE.search(query)
        return _Sized(products, unmatched=asked.group(0) if asked else "")
    return _Sized([p for p in products if not sizes[p.item_code] or sizes[p.item_code] & wanted])


def _first_in_stock(found: list[Product]) -> int:
    return next((i for i, p in enumerate(found) if p.available > 0), len(found))


_UNAVAILABLE_SHOWN = 2
_PRICE_ORDERED_POOL = 2
"""Sorted by price, the products listed are the cheapest of the best `limit` x this many
matches, among the kinds of product the best three are: "a cheap phone" lists phones,
not the phone cases that cost less."""


@tool
async def search_products(
    query: str,
    in_stock_only: bool = True,
    category: str | None = None,
    brand: str | None = None,
    max_price: Annotated[float | None, Field(ge=0)] = None,
    city: str | None = None,
    limit: Annotated[int, Field(ge=1, le=20)] = 5,
    sort: Literal["relevance", "price_low", "price_high"] = "relevance",
) -> str:
    """Search the store's catalog by meaning and words (any language, brands, item codes).

    Filters: in stock only, category, brand, max price, city or branch (a query ending
    "in <city or branch>" is read as that filter). `sort`: best
    matches first, or by price ("price_low" for "the cheapest ..."). Returns JSON:
    `results` (products with price and availability) and `unavailable` (the closest
    matches that are out of stock right now, when they match better than what is in stock).
    A product with `missing` lacks those words of the query in its name and description:
    it is only similar to what was asked for, so say so before offering it.
    `not_found_words`: no product has them, and the results are for the rest of the query.
    `elsewhere`: with a city, when nothing there matches, the matching products available
    in other places (with their availability).
    """
    catalog = (await run_services()).catalog
    if city is None:
        query, city = await _place_in(query, catalog)
    else:  # as the catalog spells it ("centro": "Centro")
        city = next((p for p in await catalog.places() if fold(p) == fold(city)), city)
    ceiling = Decimal(str(max_price)) if max_price is not None else None
    pool = limit * _PRICE_ORDERED_POOL if sort != "relevance" else limit

    async def search(words: str, *, stocked: bool, rows: int) -> list[Product]:
        return await catalog.search(
            words,
            in_stock_only=stocked,
            category=category,
            brand=brand,
            max_price=ceiling,
            place=city,
            limit=rows,
        )

    # One search, stock or not: what is in stock answers, and out-of-stock products that
    # match better than the first one in stock are named as unavailable.
    found = await search(
        query, stocked=False, rows=pool + _UNAVAILABLE_SHOWN if in_stock_only else pool
    )
    results = [p for p in found if p.available > 0 or not in_stock_only][:pool]
    if in_stock_only and found and not results:
        # Only sold-out products came near, and the search by meaning measured the rest
        # against them: "laptop" found the sold-out "Laptop HP" alone, not the MacBook.
        results = await search(query, stocked=True, rows=pool)
    unavailable = found[: _first_in_stock(found)][:_UNAVAILABLE_SHOWN] if in_stock_only else []
    missing = await catalog.missing_words(query, results + unavailable)
    lacked = _lacked_by_all(results + unavailable, missing)
    relaxed = _without(query, lacked)
    if relaxed and len(results) <= 1:
        # "laptops for gaming": no product says "gaming", so the laptops, each marked as
        # lacking it (the search by meaning alone had kept the nearest laptop only). Not
        # when the search found enough: "fresh bread" lists the breads as they are.
        seen = {p.item_code for p in results + unavailable}
        more = [
            p
            for p in await search(relaxed, stocked=in_stock_only, rows=pool)
            if p.item_code not in seen
        ]
        missing |= await catalog.missing_words(query, more)
        results = (results + more)[:pool]
    else:
        lacked = set()
    if sort != "relevance":
        kinds = {p.category for p in results[:3]}
        results = sorted(
            (p for p in results if p.category in kinds),
            key=lambda p: p.price,
            reverse=sort == "price_high",
        )
    sized = _sized(query, results)
    results = sized.fitting[:limit]
    asked = set(naming_terms(query))
    if asked and any(p.item_code not in missing for p in results + unavailable):
        # "nevera": the fridge has the word (in stock or not); the frozen chicken found
        # with it lacks every word asked for, and is only noise beside it
        results = [p for p in results if not asked <= set(missing.get(p.item_code, ()))]
    answer: dict[str, Any] = {"query": query, "results": [_hit(p, missing, city) for p in results]}
    if city:
        answer["city"] = city
        if not any(p.item_code not in missing for p in results + unavailable):
            # "is the LG 55 in stock in Valencia?": none there; where it is instead
            others = await catalog.search(
                query, category=category, brand=brand, max_price=ceiling, limit=3
            )
            lacking = await catalog.missing_words(query, others)
            answer["elsewhere"] = [product_summary(p) for p in others if p.item_code not in lacking]
    if sized.unmatched:  # "a 65 inch tv": none that size, the nearest sizes instead
        lacked.add(sized.unmatched)
    if lacked:
        answer["not_found_words"] = sorted(lacked)
    if sort != "relevance":
        answer["sort"] = sort
    if in_stock_only:
        answer["unavailable"] = [_hit(p, missing, city) for p in unavailable]
    return json.dumps(answer, ensure_ascii=False)


@tool
async def get_product_details(item_code: str) -> str:
    """Full details of one product by item code: description, price, stock per warehouse."""
    product = await (await run_services()).catalog.get(item_code.strip().upper())
    if product is None or not product.active:
        return json.dumps({"error": "not_found", "item_code": item_code})
    details = product_summary(product) | {
        "description": product.description,
        "stock": [
            {
                "warehouse": line.warehouse,
                "branch": line.branch,
                "city": line.city,
                "available": quantity_text(line.available),
            }
            for line in product.stock
        ],
    }
    return json.dumps(details, ensure_ascii=False)
