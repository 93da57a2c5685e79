-- Readings keyed on (venue, sensor, ts): a duplicate is ignored, never an error.
-- quality: 0 good, 1 uncertain, 2 bad (ingest.contract.Quality).
-- Names compare bytewise (COLLATE "C"): cheaper key comparisons on every insert
-- and the same order (code points) on every server, whatever its locale.
CREATE TABLE IF NOT EXISTS readings (
    venue   text COLLATE "C" NOT NULL,
    sensor  text COLLATE "C" NOT NULL,
    ts      timestamptz      NOT NULL,
    value   double precision NOT NULL,
    quality smallint         NOT NULL DEFAULT 0,
    PRIMARY KEY (venue, sensor, ts)
);

-- Time-range scans over all sensors (retention, rollups) stay cheap without a
-- second B-tree on every insert; readings arrive roughly in time order.
CREATE INDEX IF NOT EXISTS readings_ts_brin ON readings USING brin (ts);

-- Newest reading per sensor, maintained in the same transaction as the insert
-- so that latest() for 10,000 sensors is one index scan, not a scan of history.
CREATE TABLE IF NOT EXISTS readings_latest (
    venue   text COLLATE "C" NOT NULL,
    sensor  text COLLATE "C" NOT NULL,
    ts      timestamptz      NOT NULL,
    value   double precision NOT NULL,
    quality smallint         NOT NULL DEFAULT 0,
    PRIMARY KEY (venue, sensor)
);
