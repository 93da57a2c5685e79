-- Readings keyed on (venue, sensor, ts); ts is UTC epoch milliseconds.
-- quality: 0 good, 1 uncertain, 2 bad (ingest.contract.Quality).
CREATE TABLE IF NOT EXISTS readings (
    venue   TEXT    NOT NULL,
    sensor  TEXT    NOT NULL,
    ts      INTEGER NOT NULL,
    value   REAL    NOT NULL,
    quality INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (venue, sensor, ts)
) WITHOUT ROWID;

-- Newest reading per sensor, kept up to date by the writer's transaction.
CREATE TABLE IF NOT EXISTS readings_latest (
    venue   TEXT    NOT NULL,
    sensor  TEXT    NOT NULL,
    ts      INTEGER NOT NULL,
    value   REAL    NOT NULL,
    quality INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (venue, sensor)
) WITHOUT ROWID;
