-- What the operator console lists, kept in the row at the end of every turn, so the list is
-- one query instead of a checkpoint load per conversation.
ALTER TABLE conversations
    ADD COLUMN handoff_requested boolean NOT NULL DEFAULT false,
    ADD COLUMN cart_total numeric(14, 2) NOT NULL DEFAULT 0;
