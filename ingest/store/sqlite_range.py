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

from ingest.store.sqlite_ids import SensorIds

__all__ = ["range_rows"]

Row = tuple[str, int, float, int]  # sensor, ts (ms), value, quality

_FROM = (
    "SELECT sid, ts, value, quality FROM sensor_readings "
    "WHERE vid = ? AND ts >= ? AND ts < ? ORDER BY ts, sid LIMIT ?"
)
_AFTER = (
    "SELECT sid, ts, value, quality FROM sensor_readings "
    "WHERE vid = ? AND ts > ? AND ts < ? ORDER BY ts, sid LIMIT ?"
)
_AT = "SELECT sid, ts, value, quality FROM sensor_readings WHERE vid = ? AND ts = ? ORDER BY sid"


def range_rows(
    conn: sqlite3.Connection,
    ids: SensorIds,
    vid: int,
    start_ms: int,
    end_ms: int,
    limit: int,
    after_sensor: str | None,
) -> list[Row]:
    """At most ``limit`` readings of the venue in ``(ts, sensor name)`` order."""
    if limit <= 0 or start_ms >= end_ms:
        return []
    out: list[Row] = []
    if after_sensor is not None:
        first = conn.execute(_AT, (vid, start_ms)).fetchall()
        out = [r for r in _named(conn, ids, vid, first) if r[0] > after_sensor][:limit]
        if len(out) == limit:
            return out
    need = limit - len(out)
    sql = _FROM if after_sensor is None else _AFTER
    rows: list[tuple[int, int, float, int]] = conn.execute(
        sql, (vid, start_ms, end_ms, need)
    ).fetchall()
    if len(rows) == need:
        # The page may end inside a timestamp: read that timestamp whole and
        # let the names choose which of its readings are in.
        t_last = rows[-1][1]
        cut = len(rows)
        while cut > 0 and rows[cut - 1][1] == t_last:
            cut -= 1
        rows = rows[:cut] + conn.execute(_AT, (vid, t_last)).fetchall()
    out.extend(_named(conn, ids, vid, rows)[:need])
    return out


def _named(
    conn: sqlite3.Connection,
    ids: SensorIds,
    vid: int,
    rows: list[tuple[int, int, float, int]],
) -> list[Row]:
    """Rows in (ts, sid) order -> (sensor, ts, value, quality) in (ts, name) order."""
    if not rows:
        return []
    venue = ids.of_venue(conn, vid, {r[0] for r in rows})
    if not venue.id_order_is_name_order:
        rank = venue.rank
        rows = sorted(rows, key=lambda r: (r[1], rank[r[0]]))
    names = venue.names
    return [(names[sid], ts, value, quality) for sid, ts, value, quality in rows]
