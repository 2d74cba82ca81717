"""Operator API: products with live availability per warehouse, and search."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, PlainSerializer

from api.deps import AddressLimitDep, OperatorDep, RuntimeDep
from storage.models import Product

router = APIRouter(tags=["operator"], dependencies=[AddressLimitDep, OperatorDep])

Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class StockOut(BaseModel):
    warehouse: str
    branch: str
    city: str
    quantity: Number
    reserved: Number
    available: Number


class ProductOut(BaseModel):
    item_code: str
    name: str
    description: str
    brand: str
    category: str
    unit: str
    price: Number
    currency: str
    active: bool
    available: Number
    stock: list[StockOut]


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        item_code=product.item_code,
        name=product.name,
        description=product.description,
        brand=product.brand,
        category=product.category,
        unit=product.unit,
        price=product.price,
        currency=product.currency,
        active=product.active,
        available=product.available,
        stock=[
            StockOut(
                warehouse=s.warehouse,
                branch=s.branch,
                city=s.city,
                quantity=s.quantity,
                reserved=s.reserved,
                available=s.available,
            )
            for s in product.stock
        ],
    )


@router.get("/api/products/{item_code}", response_model=ProductOut)
async def get_product(item_code: str, runtime: RuntimeDep) -> ProductOut:
    """One product, active or not; `available` is what can still be sold."""
    product = await runtime.services.catalog.get(item_code.strip().upper())
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "product not found")
    return product_out(product)


@router.get("/api/products", response_model=list[ProductOut])
async def search_products(
    runtime: RuntimeDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    in_stock_only: bool = False,
) -> list[ProductOut]:
    """The search the assistant uses, with the same fields as a single product."""
    found = await runtime.services.catalog.search(q, in_stock_only=in_stock_only, limit=limit)
    return [product_out(p) for p in found]
