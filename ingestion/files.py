"""Catalog files for the CLI: JSON in either format, or CSV in canonical columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from ingestion.worker import payload_items

CSV_STOCK_COLUMNS = ("warehouse", "branch", "city", "quantity")


def read_catalog_file(path: Path) -> list[Any]:
    """The records of a catalog file; raises ValueError with a readable reason."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return _csv_records(text)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON: {error}") from error
    return payload_items(payload)


def _csv_records(text: str) -> list[Any]:
    """One row per product and warehouse: item_code, name, description, brand, category,
    unit, price, currency, warehouse, branch, city, quantity. Rows of one item merge."""
    records: list[dict[str, Any]] = []
    for row in csv.DictReader(io.StringIO(text)):
        record: dict[str, Any] = {
            key: value for key, value in row.items() if key and key not in CSV_STOCK_COLUMNS
        }
        if row.get("warehouse"):
            record["stock"] = [
                {key: row.get(key) or "" for key in CSV_STOCK_COLUMNS[:3]}
                | {"quantity": row.get("quantity")}
            ]
        records.append(record)
    return records
