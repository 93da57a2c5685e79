-- An alarm's message as a catalogue key and parameters (JSON), so each
-- output renders it in its own language (twin/alarms/texts.py).
ALTER TABLE alarms ADD COLUMN IF NOT EXISTS message_params text NOT NULL DEFAULT '';
