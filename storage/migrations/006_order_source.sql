-- The inbound message that confirmed an order: a turn retried after a failure finds the
-- order it already placed instead of placing it again.
ALTER TABLE orders ADD COLUMN source_message text UNIQUE;
