"""Catalog payloads → validated `ProductRecord`s, with a reason for each rejected record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from storage.models import ProductRecord, StockLine

UNITS = ("unit", "kg", "pack", "dozen", "l", "g", "lb")


@dataclass(frozen=True, slots=True)
class RecordError:
    position: int
    item_code: str | None
    reason: str


class CanonicalStock(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    warehouse: str = Field(min_length=1, max_length=200)
    branch: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=200)
    quantity: Decimal = Field(ge=0, le=Decimal("1e9"))


class CanonicalProduct(BaseModel):
    """The canonical format: snake_case, one record per product with a `stock` list."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    item_code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000)
    brand: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=200)
    unit: Literal["unit", "kg", "pack", "dozen", "l", "g", "lb"] = "unit"
    price: Decimal = Field(ge=0, le=Decimal("1e11"), allow_inf_nan=False)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    stock: list[CanonicalStock] = Field(default_factory=list)

    @field_validator("description", "brand", "category", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("price", mode="before")
    @classmethod
    def _price_is_a_number(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError("price must be a number")
        return value

    def record(self) -> ProductRecord:
        return ProductRecord(
            item_code=self.item_code.upper(),
            name=self.name,
            description=self.description,
            brand=self.brand,
            category=self.category,
            unit=self.unit,
            price=self.price.quantize(Decimal("0.01")),
            currency=self.currency.upper(),
            stock=tuple(
                StockLine(warehouse=s.warehouse, branch=s.branch, city=s.city, quantity=s.quantity)
                for s in self.stock
            ),
        )


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(parts)


def parse_canonical(items: Sequence[Any]) -> tuple[list[ProductRecord], list[RecordError]]:
    """Validate every record; keep the good ones, explain the bad ones by position."""
    records: dict[str, ProductRecord] = {}
    errors: list[RecordError] = []
    for position, item in enumerate(items):
        code = item.get("item_code") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            errors.append(RecordError(position, None, "record must be a JSON object"))
            continue
        try:
            record = CanonicalProduct.model_validate(item).record()
        except ValidationError as error:
            errors.append(RecordError(position, str(code) if code else None, _reason(error)))
            continue
        records[record.item_code] = record  # a later duplicate wins, as in a snapshot
    return list(records.values()), errors
