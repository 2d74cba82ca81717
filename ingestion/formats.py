"""Catalog payloads → validated, normalised `ProductRecord`s, with a reason for each reject.

Two formats are accepted, record by record:
- canonical: snake_case, one record per product with a `stock` list and a `unit`;
- the store's fetcher format: camelCase (`itemCode`, `itemName`, `specifitacion`, …), with an
  `availability` list, or one record per item and warehouse carrying `whsName`,
  `branchName` and `stock` itself (those are merged into one product).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from ingestion.normalize import clean_html, clean_text, warehouse_name
from storage.models import ProductRecord, StockLine

Unit = Literal["unit", "kg", "pack", "dozen", "l", "g", "lb"]
_MAX_QUANTITY = Decimal("1e9")
_MAX_PRICE = Decimal("1e11")


@dataclass(frozen=True, slots=True)
class RecordError:
    position: int
    item_code: str | None
    reason: str


def _none_is_empty(value: object) -> object:
    return "" if value is None else value


def _number(value: object) -> object:
    """Numbers or numeric strings only: a bool or an object is not a price or a stock."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number")
    if isinstance(value, str):
        value = (
            value.strip().replace(",", ".")
            if value.count(",") == 1 and "." not in value
            else value.strip()
        )
    return value


class _Stock(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    warehouse: str = Field(
        min_length=1, max_length=200, validation_alias=AliasChoices("warehouse", "whsName")
    )
    branch: str = Field(
        default="", max_length=200, validation_alias=AliasChoices("branch", "branchName")
    )
    city: str = Field(default="", max_length=200)
    quantity: Decimal = Field(
        ge=0,
        le=_MAX_QUANTITY,
        allow_inf_nan=False,
        validation_alias=AliasChoices("quantity", "stock"),
    )

    _empty = field_validator("branch", "city", mode="before")(_none_is_empty)
    _numeric = field_validator("quantity", mode="before")(_number)

    def line(self) -> StockLine:
        return StockLine(
            warehouse=warehouse_name(self.warehouse),
            branch=clean_text(self.branch),
            city=clean_text(self.city),
            quantity=self.quantity.normalize(),
        )


class CanonicalProduct(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    item_code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    specifications: str = Field(default="", max_length=20_000)
    brand: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=200)
    unit: Unit = "unit"
    price: Decimal = Field(ge=0, le=_MAX_PRICE, allow_inf_nan=False)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    stock: list[_Stock] = Field(default_factory=list)

    _empty = field_validator("description", "specifications", "brand", "category", mode="before")(
        _none_is_empty
    )
    _numeric = field_validator("price", mode="before")(_number)

    def record(self) -> ProductRecord:
        return ProductRecord(
            item_code=clean_text(self.item_code).upper(),
            name=clean_text(self.name),
            description=clean_html(self.description),
            specifications=clean_text(self.specifications),
            brand=clean_text(self.brand),
            category=clean_text(self.category),
            unit=self.unit,
            price=self.price.quantize(Decimal("0.01")),
            currency=self.currency.upper(),
            stock=tuple(s.line() for s in self.stock),
        )


class FetcherProduct(BaseModel):
    """The store's own export: camelCase, HTML descriptions, the `specifitacion` typo."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    itemCode: str = Field(min_length=1, max_length=100)
    itemName: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=50_000)
    specifitacion: str = Field(default="", max_length=20_000)
    category: str = Field(default="", max_length=200)
    subCategory: str = Field(default="", max_length=200)
    brand: str = Field(default="", max_length=200)
    line: str = Field(default="", max_length=200)
    itemGroupName: str = Field(default="", max_length=200)
    price: Decimal = Field(ge=0, le=_MAX_PRICE, allow_inf_nan=False)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    unit: Unit = "unit"
    availability: list[_Stock] | None = None
    whsName: str | None = Field(default=None, max_length=200)
    branchName: str | None = Field(default=None, max_length=200)
    stock: Decimal | None = Field(default=None, ge=0, le=_MAX_QUANTITY, allow_inf_nan=False)

    _empty = field_validator(
        "description",
        "specifitacion",
        "category",
        "subCategory",
        "brand",
        "line",
        "itemGroupName",
        mode="before",
    )(_none_is_empty)
    _numeric = field_validator("price", mode="before")(_number)

    @field_validator("stock", mode="before")
    @classmethod
    def _stock_number(cls, value: object) -> object:
        return None if value is None else _number(value)

    def record(self) -> ProductRecord:
        lines = [s.line() for s in self.availability or []]
        if self.whsName and self.stock is not None:
            lines.append(
                StockLine(
                    warehouse=warehouse_name(self.whsName),
                    branch=clean_text(self.branchName or ""),
                    city="",
                    quantity=self.stock.normalize(),
                )
            )
        category = clean_text(self.category)
        sub = clean_text(self.subCategory)
        return ProductRecord(
            item_code=clean_text(self.itemCode).upper(),
            name=clean_text(self.itemName),
            description=clean_html(self.description),
            specifications=clean_text(self.specifitacion),
            brand=clean_text(self.brand),
            category=f"{category} / {sub}" if category and sub and sub != category else category,
            unit=self.unit,
            price=self.price.quantize(Decimal("0.01")),
            currency=self.currency.upper(),
            stock=tuple(lines),
        )


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _merge(first: ProductRecord, later: ProductRecord) -> ProductRecord:
    """Two records of one item (one per warehouse): the later values where given, the
    earlier ones where the later record leaves them empty, and the stock of both."""
    stock = {line.warehouse: line for line in first.stock}
    stock.update({line.warehouse: line for line in later.stock})
    texts = {
        name: getattr(later, name) or getattr(first, name)
        for name in ("name", "description", "specifications", "brand", "category")
    }
    return replace(later, stock=tuple(stock.values()), **texts)


_ITEM_KEYS = (
    "itemCode",
    "itemName",
    "description",
    "specifitacion",
    "category",
    "subCategory",
    "brand",
    "price",
    "currency",
    "unit",
    "availability",
)


def _item_fields(item: dict[str, Any]) -> tuple[Any, ...]:
    """A fetcher record's item-level values: what it says beyond its own warehouse."""
    return tuple(item.get(key) for key in _ITEM_KEYS)


def parse_records(items: Sequence[Any]) -> tuple[list[ProductRecord], list[RecordError]]:
    """Validate every record; keep the good ones, explain the bad ones by position.

    Records of the same item are merged (the fetcher sends one per warehouse); when such a
    record repeats the item's fields exactly, only its warehouse part is validated again.
    """
    records: dict[str, ProductRecord] = {}
    item_fields: dict[str, tuple[Any, ...]] = {}
    errors: list[RecordError] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(RecordError(position, None, "record must be a JSON object"))
            continue
        fetcher = "itemCode" in item or "itemName" in item
        raw_code = item.get("itemCode" if fetcher else "item_code")
        code = str(raw_code).strip().upper() if raw_code not in (None, "") else None
        try:
            if fetcher and code in records and "whsName" in item:
                fields = _item_fields(item)
                if item_fields.get(code) == fields:
                    line = _Stock.model_validate(item).line()
                    known = records[code]
                    records[code] = replace(known, stock=_add_line(known.stock, line))
                    continue
            model = FetcherProduct if fetcher else CanonicalProduct
            record = model.model_validate(item).record()
        except ValidationError as error:
            errors.append(RecordError(position, code, _reason(error)))
            continue
        if fetcher and "whsName" in item:
            item_fields[record.item_code] = _item_fields(item)
        previous = records.get(record.item_code)
        records[record.item_code] = _merge(previous, record) if previous else record
    return list(records.values()), errors


def _add_line(stock: tuple[StockLine, ...], line: StockLine) -> tuple[StockLine, ...]:
    return (*(s for s in stock if s.warehouse != line.warehouse), line)
