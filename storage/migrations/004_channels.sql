-- Chat channels: when the customer last wrote (WhatsApp's 24-hour window), what was sent
-- and its delivery state, and sends that finally failed.
ALTER TABLE conversations ADD COLUMN last_inbound_at timestamptz;

CREATE TABLE outbound_messages (
    id               text PRIMARY KEY,
    channel          text NOT NULL,
    conversation_id  text NOT NULL,
    status           text NOT NULL DEFAULT 'sent',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE send_failures (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel          text NOT NULL,
    conversation_id  text NOT NULL,
    reply_to         text,
    error            text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
