-- Every sensor of a venue over a time range, in (ts, sensor) order (replay,
-- Store.range_all). The primary key (venue, sensor, ts) cannot serve it
-- without visiting every sensor and sorting. sensor completes the order so a
-- keyset page after (ts, sensor) is one index range, and LIMIT stops early.
CREATE INDEX IF NOT EXISTS readings_venue_ts ON readings (venue, ts, sensor);
