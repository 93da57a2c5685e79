-- Integer ids for venues and sensors. Readings were keyed on
-- (venue TEXT, sensor TEXT, ts) and indexed again on (venue, ts, sensor, ...):
-- every row carried both names twice. Keyed on a small integer instead, the
-- rows and both B-trees are half the size, and a bulk import stores about a
-- third more readings per CPU-second (docs/storage.md, bench/sqlite_schema.py).
--
-- Converts an existing database in place, inside this migration's
-- transaction: ids are given in (venue, sensor) name order, every reading and
-- latest value is copied, the old tables are dropped. `readings` and
-- `readings_latest` live on as views with their old columns, so ad-hoc SQL
-- and exports that read them keep working.
CREATE TABLE IF NOT EXISTS venues (
    id    INTEGER PRIMARY KEY,
    venue TEXT    NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS sensors (
    id     INTEGER PRIMARY KEY,
    vid    INTEGER NOT NULL REFERENCES venues (id),
    sensor TEXT    NOT NULL,
    UNIQUE (vid, sensor)
);

-- vid repeats the sensor's venue so the time index below can serve one venue.
CREATE TABLE IF NOT EXISTS sensor_readings (
    sid     INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    vid     INTEGER NOT NULL,
    value   REAL    NOT NULL,
    quality INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sid, ts)
) WITHOUT ROWID;

-- Keyed by venue first: latest(venue) is one range, as it was by name.
CREATE TABLE IF NOT EXISTS sensor_latest (
    vid     INTEGER NOT NULL,
    sid     INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    value   REAL    NOT NULL,
    quality INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (vid, sid)
) WITHOUT ROWID;

INSERT INTO venues (venue)
SELECT venue FROM readings_latest UNION SELECT venue FROM readings ORDER BY 1;

INSERT INTO sensors (vid, sensor)
SELECT v.id, k.sensor
FROM (SELECT venue, sensor FROM readings_latest UNION SELECT venue, sensor FROM readings) AS k
JOIN venues AS v ON v.venue = k.venue
ORDER BY k.venue, k.sensor;

INSERT INTO sensor_readings (sid, ts, vid, value, quality)
SELECT s.id, r.ts, s.vid, r.value, r.quality
FROM readings AS r
JOIN venues AS v ON v.venue = r.venue
JOIN sensors AS s ON s.vid = v.id AND s.sensor = r.sensor
ORDER BY s.id, r.ts;

INSERT INTO sensor_latest (vid, sid, ts, value, quality)
SELECT s.vid, s.id, l.ts, l.value, l.quality
FROM readings_latest AS l
JOIN venues AS v ON v.venue = l.venue
JOIN sensors AS s ON s.vid = v.id AND s.sensor = l.sensor;

DROP INDEX IF EXISTS readings_venue_ts;
DROP TABLE readings;
DROP TABLE readings_latest;

-- Every sensor of a venue over a time range (replay, Store.range_all): the
-- role of migration 0004's index, covering for the same reason. Built after
-- the copy: one sorted pass instead of an insert per row.
CREATE INDEX IF NOT EXISTS sensor_readings_vid_ts
    ON sensor_readings (vid, ts, sid, value, quality);

CREATE VIEW IF NOT EXISTS readings (venue, sensor, ts, value, quality) AS
SELECT v.venue, s.sensor, r.ts, r.value, r.quality
FROM sensor_readings AS r
JOIN sensors AS s ON s.id = r.sid
JOIN venues AS v ON v.id = s.vid;

CREATE VIEW IF NOT EXISTS readings_latest (venue, sensor, ts, value, quality) AS
SELECT v.venue, s.sensor, l.ts, l.value, l.quality
FROM sensor_latest AS l
JOIN sensors AS s ON s.id = l.sid
JOIN venues AS v ON v.id = l.vid;
