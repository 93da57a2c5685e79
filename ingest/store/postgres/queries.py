"""SQL text for the PostgreSQL adapter, native and TimescaleDB flavours side by side.

Times cross the wire as integer epoch milliseconds (the contract's resolution)
and are converted in SQL, so no Python ``datetime`` is built per row.
"""

from __future__ import annotations

from typing import LiteralString

from ingest.store.postgres.timescale import CONTINUOUS_AGGREGATES

__all__ = [
    "CREATE_STAGING",
    "DEAD_LETTERS",
    "DETECT_TIMESCALE_AVAILABLE",
    "DETECT_TIMESCALE_INSTALLED",
    "INSERT_DEAD_LETTER",
    "LATEST",
    "LATEST_BEFORE",
    "MERGE_STAGING",
    "RANGE_ALL",
    "RANGE_ALL_AFTER",
    "RAW",
    "STAGING_COPY",
    "STAGING_TYPES",
    "downsample_sql",
    "pick_aggregate",
    "zone_sql",
]

# Per-connection scratch table for COPY; emptied at every commit. Ids, not
# names: the writer resolved them (ingest.store.postgres.sensor_ids).
CREATE_STAGING: LiteralString = """
CREATE TEMP TABLE IF NOT EXISTS staging_sensor_readings (
    sid int4, vid int4, ts_ms int8, value float8, quality int2
) ON COMMIT DELETE ROWS
"""

STAGING_COPY: LiteralString = (
    "COPY staging_sensor_readings (sid, vid, ts_ms, value, quality) FROM STDIN (FORMAT BINARY)"
)
STAGING_TYPES = ["int4", "int4", "int8", "float8", "int2"]

# Inserts the new rows, advances sensor_latest where they are newer, and
# counts the new rows and gives their time span (epoch ms; late data makes the
# TimescaleDB writer refresh continuous aggregates), in one statement.
# sensor_latest's half-full pages make the advance a HOT update (migration 0007).
MERGE_STAGING: LiteralString = """
WITH ins AS (
    INSERT INTO sensor_readings (sid, vid, ts, value, quality)
    SELECT sid, vid, to_timestamp(ts_ms / 1000.0), value, quality
    FROM staging_sensor_readings
    ON CONFLICT (sid, ts) DO NOTHING
    RETURNING sid, vid, ts, value, quality
), newest AS (
    INSERT INTO sensor_latest AS l (vid, sid, ts, value, quality)
    SELECT DISTINCT ON (sid) vid, sid, ts, value, quality
    FROM ins ORDER BY sid, ts DESC
    ON CONFLICT (vid, sid) DO UPDATE
    SET ts = EXCLUDED.ts, value = EXCLUDED.value, quality = EXCLUDED.quality
    WHERE EXCLUDED.ts > l.ts
)
SELECT count(*), (extract(epoch FROM min(ts)) * 1000)::int8,
       (extract(epoch FROM max(ts)) * 1000)::int8
FROM ins
"""

# The venue's id, or no row; inlined as an InitPlan, so the reads below are
# index ranges on integer keys.
_VID: LiteralString = "(SELECT vid FROM venues WHERE venue = %(venue)s)"
_SID: LiteralString = (
    "(SELECT s.sid FROM sensors AS s JOIN venues AS v ON v.vid = s.vid "
    "WHERE v.venue = %(venue)s AND s.sensor = %(sensor)s)"
)

LATEST: LiteralString = (
    "SELECT s.sensor, (extract(epoch FROM l.ts) * 1000)::int8, l.value, l.quality "
    "FROM sensor_latest AS l JOIN sensors AS s ON s.sid = l.sid "
    "WHERE l.vid = " + _VID + " ORDER BY s.sensor"
)

RAW: LiteralString = (
    "SELECT (extract(epoch FROM ts) * 1000)::int8, value, quality "
    "FROM sensor_readings WHERE sid = " + _SID + " "
    "AND ts >= to_timestamp(%(start_ms)s / 1000.0) AND ts < to_timestamp(%(end_ms)s / 1000.0) "
    "ORDER BY ts LIMIT %(limit)s"
)

# Every sensor of a venue by (ts, sensor name), on the (vid, ts, sid) index of
# migration 0007: the index gives ts order, an incremental sort puts each
# timestamp's readings in name order (ids need not be in name order: a sensor
# that arrives later gets a later id), and LIMIT stops both early.
_RANGE_ALL_HEAD: LiteralString = (
    "SELECT s.sensor, (extract(epoch FROM r.ts) * 1000)::int8, r.value, r.quality "
    "FROM sensor_readings AS r JOIN sensors AS s ON s.sid = r.sid "
    "WHERE r.vid = " + _VID + " "
)
RANGE_ALL: LiteralString = (
    _RANGE_ALL_HEAD + "AND r.ts >= to_timestamp(%(start_ms)s / 1000.0) "
    "AND r.ts < to_timestamp(%(end_ms)s / 1000.0) "
    "ORDER BY r.ts, s.sensor LIMIT %(limit)s"
)
# The keyset page after (ts, sensor): the row comparison cannot be an index
# condition across two tables, so it is spelled as a range plus a filter.
RANGE_ALL_AFTER: LiteralString = (
    _RANGE_ALL_HEAD + "AND r.ts >= to_timestamp(%(start_ms)s / 1000.0) "
    "AND r.ts < to_timestamp(%(end_ms)s / 1000.0) "
    'AND (r.ts > to_timestamp(%(start_ms)s / 1000.0) OR s.sensor > %(after)s::text COLLATE "C") '
    "ORDER BY r.ts, s.sensor LIMIT %(limit)s"
)

# One backward probe of the primary key (sid, ts) per sensor of the venue.
# DISTINCT ON (sensor) ... ORDER BY sensor, ts DESC would sort the venue's
# whole history before t instead: 1.36 s against 11 ms for 1,000 sensors x
# 900 s of 1 Hz history (docs/storage.md), and it grows with the history.
LATEST_BEFORE: LiteralString = (
    "SELECT s.sensor, (extract(epoch FROM r.ts) * 1000)::int8, r.value, r.quality "
    "FROM sensors AS s CROSS JOIN LATERAL ("
    "SELECT ts, value, quality FROM sensor_readings "
    "WHERE sid = s.sid AND ts < to_timestamp(%(t_ms)s / 1000.0) "
    "ORDER BY ts DESC LIMIT 1) AS r "
    "WHERE s.vid = " + _VID + " ORDER BY s.sensor"
)

INSERT_DEAD_LETTER: LiteralString = """
INSERT INTO dead_letters (received_at, reason, detail, topic, payload)
VALUES (to_timestamp(%s), %s, %s, %s, %s)
"""

DEAD_LETTERS: LiteralString = """
SELECT extract(epoch FROM received_at)::float8, reason, detail, topic, payload
FROM dead_letters ORDER BY received_at DESC, id DESC LIMIT %s
"""

DETECT_TIMESCALE_INSTALLED: LiteralString = (
    "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"
)
DETECT_TIMESCALE_AVAILABLE: LiteralString = (
    "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'"
)


def _bucket_expr(timescale: bool) -> LiteralString:
    # Both align buckets to the Unix epoch (TimescaleDB's default origin is 2000-01-03).
    if timescale:
        return (
            "time_bucket(%(w_ms)s * INTERVAL '1 millisecond', ts, "
            "origin => timestamptz '1970-01-01 00:00:00+00')"
        )
    return "date_bin(%(w_ms)s * INTERVAL '1 millisecond', ts, timestamptz '1970-01-01 00:00:00+00')"


_RANGE: LiteralString = (
    "ts >= to_timestamp(%(start_ms)s / 1000.0) AND ts < to_timestamp(%(end_ms)s / 1000.0)"
)


def pick_aggregate(start_ms: int, end_ms: int, w_ms: int) -> tuple[str, int] | None:
    """The widest continuous aggregate whose buckets tile both the range and the width.

    Returns ``(view, width_ms)`` or ``None`` when raw rows must be read.
    """
    for cagg in reversed(CONTINUOUS_AGGREGATES):
        width = cagg.width_s * 1000
        if w_ms % width == 0 and start_ms % width == 0 and end_ms % width == 0:
            return cagg.view, width
    return None


def downsample_sql(*, timescale: bool, aggregate: str | None) -> LiteralString:
    """Per-bucket min/max/mean/count of one sensor; named parameters:
    venue, sensor, start_ms, end_ms, w_ms."""
    if aggregate is not None:
        if aggregate not in {c.view for c in CONTINUOUS_AGGREGATES}:
            raise ValueError(f"unknown aggregate {aggregate!r}")
        # Roll the 1m/1h buckets up to the requested width: exact for min, max,
        # count, and for the mean via sum/count.
        # The aggregates themselves, by sensor id (not their by-name views).
        view: LiteralString = (
            "sensor_readings_1h" if aggregate == "readings_1h" else "sensor_readings_1m"
        )
        return (
            "SELECT (floor(extract(epoch FROM bucket) * 1000 / %(w_ms)s) * %(w_ms)s)::int8 AS b, "
            "min(vmin), max(vmax), sum(vsum) / sum(n)::float8, sum(n)::int8 "
            "FROM " + view + " "
            "WHERE sid = " + _SID + " "
            "AND bucket >= to_timestamp(%(start_ms)s / 1000.0) "
            "AND bucket < to_timestamp(%(end_ms)s / 1000.0) "
            "GROUP BY b ORDER BY b"
        )
    # Group on the timestamp and convert only the ~1,000 bucket starts, not every row.
    return (
        "SELECT (extract(epoch FROM b) * 1000)::int8, lo, hi, mean, n FROM ("
        "SELECT " + _bucket_expr(timescale) + " AS b, "
        "min(value) AS lo, max(value) AS hi, avg(value) AS mean, count(*) AS n "
        "FROM sensor_readings WHERE sid = " + _SID + " AND " + _RANGE + " "
        "GROUP BY b) g ORDER BY b"
    )


def zone_sql(*, timescale: bool) -> LiteralString:
    """Per-zone, per-bucket aggregates; parameters as :func:`downsample_sql` plus
    ``zones`` and ``sensors`` (parallel text arrays, one pair per membership)."""
    return (
        "SELECT zone, (extract(epoch FROM b) * 1000)::int8, mean, lo, hi, n FROM ("
        "SELECT z.zone AS zone, " + _bucket_expr(timescale) + " AS b, "
        "avg(r.value) AS mean, min(r.value) AS lo, max(r.value) AS hi, count(*) AS n "
        "FROM unnest(%(zones)s::text[], %(sensors)s::text[]) AS z(zone, sensor) "
        'JOIN sensors AS s ON s.sensor = z.sensor COLLATE "C" AND s.vid = ' + _VID + " "
        "JOIN sensor_readings AS r ON r.sid = s.sid "
        "WHERE " + _RANGE + " "
        'GROUP BY z.zone, b) g ORDER BY zone COLLATE "C", b'
    )
