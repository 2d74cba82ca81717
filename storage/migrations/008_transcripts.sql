-- What a voice note said, kept with the message it came in (NULL for written messages).
ALTER TABLE processed_messages ADD COLUMN transcript text;
