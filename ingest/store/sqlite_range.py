"""``range_all`` on SQLite's integer-keyed readings: (ts, sensor NAME) order.

The time index ``sensor_readings_vid_ts`` (migration 0007) orders a venue's
readings by ``(ts, sid)``. The Store contract orders them by ``(ts, sensor)``
with sensor names by code point, and pages after a ``(ts, sensor)`` pair.
Sensor ids are not given in name order in general (a sensor that arrives later
gets a later id), so the order inside one timestamp is put right here:

- the page's readings come from one index range, in ``(ts, sid)`` order;
- when the page is full, the group of its last timestamp is read whole, so
  which of those readings fall inside the page is decided by name, not id;
- the readings of ``start`` after ``after_sensor`` are picked by name.

When a venue's ids are in name order (sensors that arrived together, or a
database converted by the migration) no sort is needed at all. Joining the
``sensors`` table and sorting in SQL measured slower than the old text-keyed
read; this keeps range reads as fast or faster (docs/storage.md).
"""

from __future__ import annotations

import sqlite3

from ingest.contract import Quality, Reading
from ingest.store.base import StoreError
from ingest.store.rows import QUALITY_FROM_CODE, to_ms
from ingest.store.sqlite_ids import SensorIds, VenueSensors

__all__ = ["by_name", "range_readings"]

IdRow = tuple[int, int, float, int]  # sid, ts (ms), value, quality

_FROM = (
    "SELECT sid, ts, value, quality FROM sensor_readings "
    "WHERE vid = ? AND ts >= ? AND ts < ? ORDER BY ts, sid LIMIT ?"
)
_AFTER = (
    "SELECT sid, ts, value, quality FROM sensor_readings "
    "WHERE vid = ? AND ts > ? AND ts < ? ORDER BY ts, sid LIMIT ?"
)
_AT = "SELECT sid, ts, value, quality FROM sensor_readings WHERE vid = ? AND ts = ? ORDER BY sid"


def range_readings(
    conn: sqlite3.Connection,
    ids: SensorIds,
    venue: str,
    vid: int,
    start_ms: int,
    end_ms: int,
    limit: int,
    after_sensor: str | None,
) -> list[Reading]:
    """At most ``limit`` readings of the venue in ``(ts, sensor name)`` order."""
    if limit <= 0 or start_ms >= end_ms:
        return []
    args = (conn, venue, vid, start_ms, end_ms, limit, after_sensor)
    try:
        return _read(ids.of_venue(conn, vid), *args)
    except KeyError:  # a sensor newer than the cached list (another writer made it)
        pass
    try:
        return _read(ids.of_venue(conn, vid, fresh=True), *args)
    except KeyError as exc:
        raise StoreError(f"a reading of venue {venue!r} names an unknown sensor id") from exc


def _read(
    known: VenueSensors,
    conn: sqlite3.Connection,
    venue: str,
    vid: int,
    start_ms: int,
    end_ms: int,
    limit: int,
    after_sensor: str | None,
) -> list[Reading]:
    names, rank, ordered = known.names, known.rank, known.id_order_is_name_order
    # reading_from_row inlined: a function call per row is a tenth of the
    # read's Python time, and a replay reads hundreds of thousands of rows.
    quality, bad = QUALITY_FROM_CODE, Quality.BAD
    out: list[Reading] = []
    if after_sensor is not None:
        first: list[IdRow] = conn.execute(_AT, (vid, start_ms)).fetchall()
        if not ordered:
            first.sort(key=lambda r: rank[r[0]])
        out = [
            Reading(venue, names[s], ts / 1000, v, quality.get(q, bad))
            for s, ts, v, q in first
            if names[s] > after_sensor
        ]
        if len(out) >= limit:
            return out[:limit]
    head = len(out)
    cur = conn.execute(_FROM if after_sensor is None else _AFTER, (vid, start_ms, end_ms, limit))
    if ordered:
        # Ids in name order: rows go straight from the cursor into readings
        # (no list of tuples held, which measured slower through the GC).
        out.extend(
            Reading(venue, names[s], ts / 1000, v, quality.get(q, bad)) for s, ts, v, q in cur
        )
        if len(out) - head < limit:
            return out
        # The page may end inside a timestamp: read that timestamp whole and
        # let the names choose which of its readings are in.
        t_last = to_ms(out[-1].ts)
        while len(out) > head and to_ms(out[-1].ts) == t_last:
            out.pop()
        group = conn.execute(_AT, (vid, t_last)).fetchall()
    else:
        rows: list[IdRow] = cur.fetchall()
        group = []
        if len(rows) == limit:
            t_last = rows[-1][1]
            while rows and rows[-1][1] == t_last:
                rows.pop()
            group = conn.execute(_AT, (vid, t_last)).fetchall()
        rows.sort(key=lambda r: (r[1], rank[r[0]]))
        group.sort(key=lambda r: rank[r[0]])
        out.extend(
            Reading(venue, names[s], ts / 1000, v, quality.get(q, bad)) for s, ts, v, q in rows
        )
    out.extend(Reading(venue, names[s], ts / 1000, v, quality.get(q, bad)) for s, ts, v, q in group)
    return out[:limit] if len(out) > limit else out


def by_name(
    conn: sqlite3.Connection, ids: SensorIds, venue: str, vid: int, rows: list[IdRow]
) -> list[Reading]:
    """One reading per sensor, rows by sid -> readings by sensor name (latest())."""
    quality, bad = QUALITY_FROM_CODE, Quality.BAD
    for fresh in (False, True):
        known = ids.of_venue(conn, vid, fresh=fresh)
        names, rank = known.names, known.rank
        try:
            ordered = (
                rows if known.id_order_is_name_order else sorted(rows, key=lambda r: rank[r[0]])
            )
            return [
                Reading(venue, names[s], ts / 1000, v, quality.get(q, bad))
                for s, ts, v, q in ordered
            ]
        except KeyError:  # a sensor newer than the cached list: read the list again
            continue
    raise StoreError(f"a reading of venue {venue!r} names a sensor id the sensors table lacks")
