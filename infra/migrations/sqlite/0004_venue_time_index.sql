-- Every sensor of a venue over a time range, in (ts, sensor) order (replay,
-- Store.range_all): the (venue, sensor, ts) primary key cannot serve it
-- without visiting every sensor. sensor completes the order, so a keyset page
-- after (ts, sensor) is one index range. value and quality make the index
-- covering: without them each row costs a second B-tree search of the
-- WITHOUT ROWID table, and a range read was 7x slower (docs/storage.md).
CREATE INDEX IF NOT EXISTS readings_venue_ts ON readings (venue, ts, sensor, value, quality);
