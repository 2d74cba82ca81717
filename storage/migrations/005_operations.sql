-- Operations: conversations closed after inactivity, and errors counted for the stats.
ALTER TABLE conversations ADD COLUMN closed_at timestamptz;
CREATE INDEX conversations_open_idx ON conversations (last_activity_at) WHERE closed_at IS NULL;

CREATE TABLE service_errors (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL,
    conversation_id  text,
    detail           text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_errors_created_idx ON service_errors (created_at);
CREATE INDEX send_failures_created_idx ON send_failures (created_at);
CREATE INDEX orders_created_idx ON orders (created_at);
