-- Orders with prices fixed at order time, stock reservations, and an outbox for export.
ALTER TABLE stock ADD COLUMN reserved numeric(14, 3) NOT NULL DEFAULT 0 CHECK (reserved >= 0);

CREATE TABLE orders (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number            text NOT NULL UNIQUE,
    customer_id       bigint NOT NULL REFERENCES customers (id),
    conversation_id   text,
    channel           text NOT NULL,
    status            text NOT NULL CHECK (status IN ('confirmed', 'fulfilled', 'cancelled')),
    total             numeric(14, 2) NOT NULL CHECK (total >= 0),
    currency          text NOT NULL,
    delivery_address  text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON orders (customer_id, created_at);

CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line        integer NOT NULL,
    item_code   text NOT NULL,
    name        text NOT NULL,
    quantity    numeric(14, 3) NOT NULL CHECK (quantity > 0),
    unit        text NOT NULL,
    unit_price  numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line)
);

-- Units held by confirmed orders: available = stock.quantity - stock.reserved.
CREATE TABLE reservations (
    order_id   bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    item_code  text NOT NULL,
    warehouse  text NOT NULL,
    quantity   numeric(14, 3) NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, item_code, warehouse)
);
CREATE INDEX reservations_stock_idx ON reservations (item_code, warehouse);

CREATE TABLE outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id         bigint NOT NULL REFERENCES orders (id),
    event            text NOT NULL,
    payload          jsonb NOT NULL,
    idempotency_key  text NOT NULL UNIQUE,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE status = 'pending';
