-- Catalog sync: content hashes for delta detection, one embedding per product,
-- denormalised availability for filtered retrieval, and durable ingestion jobs.
ALTER TABLE products
    ADD COLUMN specifications  text NOT NULL DEFAULT '',
    ADD COLUMN text_hash       text,
    ADD COLUMN data_hash       text,
    ADD COLUMN embedding       vector(512),
    ADD COLUMN embedding_model text,
    ADD COLUMN available       numeric(14, 3) NOT NULL DEFAULT 0,
    ADD COLUMN stock_version   bigint NOT NULL DEFAULT 0;

UPDATE products p
SET available = coalesce((SELECT sum(quantity) FROM stock s WHERE s.item_code = p.item_code), 0);

CREATE INDEX products_embedding_hnsw_idx ON products USING hnsw (embedding vector_cosine_ops);

CREATE TABLE ingest_jobs (
    id           uuid PRIMARY KEY,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'done', 'failed')),
    source       text NOT NULL,
    full_sync    boolean NOT NULL DEFAULT false,
    version      bigint NOT NULL,
    payload      text NOT NULL,
    counts       jsonb NOT NULL DEFAULT '{}',
    errors       jsonb NOT NULL DEFAULT '[]',
    failure      text,
    attempts     integer NOT NULL DEFAULT 0,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz
);
CREATE INDEX ingest_jobs_pending_idx ON ingest_jobs (created_at)
    WHERE status IN ('queued', 'running');
