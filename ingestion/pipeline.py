"""The catalog sync: parse → validate → normalise → hash → diff → embed what changed → write.

A re-sync costs almost nothing when little changed: unchanged records write nothing,
price and stock changes never cost an embedding, and the embedding provider is called
before anything is written, so its failure leaves the catalog as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from prometheus_client import Counter

from ingestion.embeddings import Embedder
from ingestion.formats import RecordError, parse_records
from storage.catalog_sync import CatalogWriter, ProductWrite
from storage.models import ProductRecord

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): stage is "parse" or "embed"."""

RECORDS = Counter(
    "store_assistant_ingested_records", "Catalog records synced, by outcome", ["outcome"]
)


@dataclass
class SyncCounts:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    embedded: int = 0
    deactivated: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class SyncReport:
    counts: SyncCounts
    errors: list[RecordError] = field(default_factory=list)


def embedded_text(record: ProductRecord) -> str:
    """The text whose meaning search matches: what the product is, not its price or stock."""
    parts = [record.name, record.brand, record.category, record.description, record.specifications]
    return ". ".join(part for part in parts if part)[:2000]


def text_hash(record: ProductRecord) -> str:
    return hashlib.sha256(embedded_text(record).encode()).hexdigest()


def data_hash(record: ProductRecord) -> str:
    """Everything else that matters: price, unit and the stock per warehouse."""
    stock = sorted(
        (line.warehouse, line.branch, line.city, format(line.quantity.normalize(), "f"))
        for line in record.stock
    )
    fields = [record.name, format(record.price, ".2f"), record.currency, record.unit, repr(stock)]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


async def sync_catalog(
    items: Sequence[Any],
    *,
    writer: CatalogWriter,
    embedder: Embedder,
    version: int,
    full_sync: bool = False,
    progress: Progress | None = None,
) -> SyncReport:
    records, errors = parse_records(items)
    if progress:
        progress("parse", len(items), len(items))
    counts = SyncCounts(received=len(items), rejected=len(errors))
    stored = await writer.fingerprints([r.item_code for r in records])

    writes: list[ProductWrite] = []
    to_embed: list[int] = []
    for record in records:
        previous = stored.get(record.item_code)
        t_hash, d_hash = text_hash(record), data_hash(record)
        if previous is not None and previous.stock_version > version:
            counts.unchanged += 1  # a newer snapshot already wrote this product
            continue
        text_changed = previous is None or previous.text_hash != t_hash
        needs_vector = text_changed or previous is None or previous.embedding_model != embedder.name
        data_changed = previous is None or previous.data_hash != d_hash
        if not (needs_vector or data_changed):
            if previous is not None and not previous.active:
                counts.updated += 1  # reactivated by the writer below
            else:
                counts.unchanged += 1
            continue
        if needs_vector:
            to_embed.append(len(writes))
        writes.append(ProductWrite(record, t_hash, d_hash, None, None, write_stock=data_changed))
        if previous is None:
            counts.inserted += 1
        else:
            counts.updated += 1

    if to_embed:
        texts = [embedded_text(writes[i].record) for i in to_embed]
        vectors = []
        for start in range(0, len(texts), 512):
            vectors.extend(await embedder.embed(texts[start : start + 512]))
            if progress:
                progress("embed", min(start + 512, len(texts)), len(texts))
        for index, vector in zip(to_embed, vectors, strict=True):
            w = writes[index]
            writes[index] = ProductWrite(
                w.record, w.text_hash, w.data_hash, vector, embedder.name, w.write_stock
            )
        counts.embedded = len(to_embed)

    result = await writer.apply(
        writes,
        batch_codes=[r.item_code for r in records],
        version=version,
        full_sync=full_sync,
    )
    counts.deactivated = result.deactivated
    await writer.tidy(rows_written=result.written + result.reactivated + result.deactivated)
    for outcome, number in counts.as_dict().items():
        if outcome != "received" and number:
            RECORDS.labels(outcome=outcome).inc(number)
    return SyncReport(counts, errors)


async def reembed_stale(writer: CatalogWriter, embedder: Embedder, batch: int = 512) -> int:
    """Give every product a vector from the configured model (after a model change)."""
    done = 0
    while True:
        records = await writer.texts_to_embed(embedder.name, batch)
        if not records:
            return done
        vectors = await embedder.embed([embedded_text(r) for r in records])
        await writer.set_embeddings(
            embedder.name, [(r.item_code, v) for r, v in zip(records, vectors, strict=True)]
        )
        done += len(records)
