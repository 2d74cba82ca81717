-- Customers, catalog, conversations and pauses: what the conversation service needs.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone       text NOT NULL UNIQUE CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address     text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    item_code    text PRIMARY KEY,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    brand        text NOT NULL DEFAULT '',
    category     text NOT NULL DEFAULT '',
    unit         text NOT NULL DEFAULT 'unit',
    price        numeric(14, 2) NOT NULL CHECK (price >= 0),
    currency     text NOT NULL DEFAULT 'USD',
    active       boolean NOT NULL DEFAULT true,
    -- Lower-cased, accent-free copy of the searchable fields (no unaccent extension here).
    search_text  text NOT NULL DEFAULT '',
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_search_vector_idx ON products USING gin (search_vector);
CREATE INDEX products_category_idx ON products (lower(category));

CREATE TABLE stock (
    item_code   text NOT NULL REFERENCES products (item_code) ON DELETE CASCADE,
    warehouse   text NOT NULL,
    branch      text NOT NULL DEFAULT '',
    city        text NOT NULL DEFAULT '',
    quantity    numeric(14, 3) NOT NULL CHECK (quantity >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_code, warehouse)
);

CREATE TABLE conversations (
    id                text PRIMARY KEY,
    channel           text NOT NULL,
    customer_id       bigint REFERENCES customers (id),
    stage             text NOT NULL DEFAULT 'greeting',
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_activity_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_last_activity_idx ON conversations (last_activity_at);

CREATE TABLE conversation_pauses (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    paused_until     timestamptz NOT NULL,
    reason           text NOT NULL,
    paused_by        text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz
);
CREATE INDEX conversation_pauses_open_idx
    ON conversation_pauses (conversation_id) WHERE ended_at IS NULL;

CREATE TABLE processed_messages (
    channel          text NOT NULL,
    message_id       text NOT NULL,
    conversation_id  text,
    processed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, message_id)
);
