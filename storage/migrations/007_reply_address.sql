-- Where a conversation's answers go on its channel (a Support Board conversation, a
-- WhatsApp number), so an agent writing from the console reaches the customer there.
ALTER TABLE conversations ADD COLUMN reply_address text;
