-- An alarm's revision: one more on every change, so a page merging a REST
-- answer with a live frame keeps the newer copy (twin/alarms/model.py).
ALTER TABLE alarms ADD COLUMN IF NOT EXISTS revision bigint NOT NULL DEFAULT 0;
