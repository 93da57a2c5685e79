"""The compact WebSocket frame format (protocol version 2, see ``docs/websocket.md``).

Version 1 deltas name every sensor and spell out every field (about 75 bytes
per sensor value); at 1,000 clients the server spent most of its time in the
socket writes of those bytes. A client that subscribes with
``"format": "compact"`` gets snapshots and deltas in this shape instead:

- the snapshot gives every sensor and zone a stable index (``sensor_ids``,
  ``zone_ids``: position in the list) for the life of the channel;
- sensor rows are a flat list ``s`` of ``[index, value, dt, status]``
  quadruples, where ``ts = (t0 + dt) / 1000`` (``t0``: the frame's time in
  integer epoch ms) and ``status`` indexes ``statuses``;
- zone rows ``[index, mask, values...]`` carry only the fields (bit ``k`` of
  ``mask`` is ``zone_fields[k]``) that changed since the previous delta;
- a delta's zone analytics are rows the same way (``analytics.z``, fields
  ``analytics_fields``): the crowd and climate figures of every zone, each
  second, were most of a compact frame's bytes;
- anything that does not fit a row (a sensor or zone added after the table
  was made, a timestamp that is not a whole millisecond) goes by name, in the
  version 1 shape, under ``named``.

Nothing is rounded: values are the same floats as in version 1, and a
timestamp becomes an offset only when ``(t0 + dt) / 1000`` gives back the very
same float. Alarms, commands, analytics, replay and clock fields are as in
version 1. A :class:`CompactCodec` belongs to one channel and encodes each
frame once per tick for every client of the format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "COMPACT_VERSION",
    "FORMATS",
    "STATUSES",
    "ZONE_FIELDS",
    "CompactCodec",
    "decode",
    "decode_into",
]

COMPACT_VERSION = 2
FORMATS = ("v1", "compact")
STATUSES = ("unknown", "ok", "warn", "alarm", "stale", "offline")
ZONE_FIELDS = ("occupancy", "density", "temperature", "humidity", "co2", "lux")
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
# Version 1 keys a compact frame replaces with rows.
_ROW_KEYS = ("type", "v", "venue", "server_time", "sensors", "zones")
_COMPACT_KEYS = (
    *("t0", "s", "z", "named", "sensor_ids", "zone_ids"),
    *("zone_fields", "analytics_fields", "statuses"),
)


def _offset_ms(ts: float, t0: int) -> int | None:
    """``dt`` with ``(t0 + dt) / 1000 == ts`` exactly, or None (sent by name)."""
    ms = round(ts * 1000)
    if ms / 1000 != ts:  # not a whole millisecond: an offset would change it
        return None
    return ms - t0


class CompactCodec:
    """Turns one channel's version 1 snapshot and delta bodies into compact ones.

    The index tables are made from the first snapshot and never change, so an
    index means the same sensor in every frame a client of this channel gets.
    Zone fields are diffed against the previous delta; after any snapshot the
    next delta sends its zones whole, since a client that took that snapshot
    may hold newer values than the previous delta did.
    """

    def __init__(self) -> None:
        self._sensor_ids: list[str] | None = None
        self._zone_ids: list[str] = []
        self._sensor_index: dict[str, int] = {}
        self._zone_index: dict[str, int] = {}
        self._analytics_fields: tuple[str, ...] = ()
        self._zones_sent: dict[str, tuple[Any, ...]] = {}
        self._analytics_sent: dict[str, tuple[Any, ...]] = {}
        self._whole_zones = self._whole_analytics = True

    def snapshot(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The compact snapshot of a version 1 snapshot body."""
        if self._sensor_ids is None:
            self._sensor_ids = list(body["sensors"])
            self._zone_ids = list(body["zones"])
            self._sensor_index = {s: i for i, s in enumerate(self._sensor_ids)}
            self._zone_index = {z: i for i, z in enumerate(self._zone_ids)}
            # The fields every zone's analytics has, in the order they come.
            seen: dict[str, None] = {}
            for z in (body.get("analytics") or {}).get("zones", {}).values():
                seen.update(dict.fromkeys(z))
            self._analytics_fields = tuple(seen)[:30]  # masks stay small integers
        self._whole_zones = self._whole_analytics = True
        out = self._head(body)
        out["sensor_ids"] = self._sensor_ids
        out["zone_ids"] = self._zone_ids
        out["zone_fields"] = ZONE_FIELDS
        out["analytics_fields"] = self._analytics_fields
        out["statuses"] = STATUSES
        self._rows(body, out, diff=False)
        return self._tail(body, out)  # analytics whole, as in version 1

    def delta(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The compact delta of a version 1 delta body (call once per tick)."""
        out = self._head(body)
        diff = not self._whole_zones
        self._rows(body, out, diff=diff)
        self._whole_zones = False
        out = self._tail(body, out)
        analytics = body.get("analytics")
        if analytics and analytics.get("zones"):
            rows, named = _zone_rows(
                analytics["zones"],
                self._analytics_fields,
                self._zone_index,
                self._analytics_sent,
                diff=not self._whole_analytics,
            )
            self._whole_analytics = False
            out["analytics"] = {**analytics, "z": rows, "zones": named}
        return out

    @staticmethod
    def _head(body: Mapping[str, Any]) -> dict[str, Any]:
        # "type" and "server_time" first: draining clients read only a frame's head.
        server_time = float(body["server_time"])
        return {
            "type": body["type"],
            "v": COMPACT_VERSION,
            "server_time": server_time,
            "venue": body["venue"],
            "t0": round(server_time * 1000),
        }

    @staticmethod
    def _tail(body: Mapping[str, Any], out: dict[str, Any]) -> dict[str, Any]:
        for k, v in body.items():
            if k not in _ROW_KEYS:
                out[k] = v
        return out

    def _rows(self, body: Mapping[str, Any], out: dict[str, Any], *, diff: bool) -> None:
        t0: int = out["t0"]
        rows: list[Any] = []
        named_s: dict[str, Any] = {}
        index = self._sensor_index
        for sid, s in body["sensors"].items():
            i = index.get(sid)
            ts = s["ts"]
            dt = None if ts is None else _offset_ms(ts, t0)
            code = _STATUS_CODE.get(s["status"])
            if i is None or (ts is not None and dt is None) or code is None:
                named_s[sid] = s
                continue
            rows += (i, s["value"], dt, code)
        zrows, named_z = _zone_rows(
            body["zones"], ZONE_FIELDS, self._zone_index, self._zones_sent, diff=diff
        )
        out["s"] = rows
        out["z"] = zrows
        if named_s or named_z:
            out["named"] = {"sensors": named_s, "zones": named_z}


def _zone_rows(
    bodies: Mapping[str, Mapping[str, Any]],
    fields: tuple[str, ...],
    index: Mapping[str, int],
    sent: dict[str, tuple[Any, ...]],
    *,
    diff: bool,
) -> tuple[list[list[Any]], dict[str, Any]]:
    """``[index, mask, changed values...]`` rows, and the bodies that fit no row (by name)."""
    rows: list[list[Any]] = []
    named: dict[str, Any] = {}
    for zid, z in bodies.items():
        j = index.get(zid)
        if j is None or any(k not in fields for k in z):
            named[zid] = z
            sent.pop(zid, None)  # the client got it whole
            continue
        values = tuple(z.get(f) for f in fields)
        before = sent.get(zid) if diff else None
        mask = 0
        row: list[Any] = [j, 0]
        for k, v in enumerate(values):
            # repr: 0.0 and -0.0 (or 1 and 1.0) differ on the wire
            if before is None or repr(before[k]) != repr(v):
                mask |= 1 << k
                row.append(v)
        if mask:
            row[1] = mask
            rows.append(row)
        sent[zid] = values
    return rows, named


def _from_rows(rows: list[list[Any]], ids: list[str], fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in rows:
        mask, values = row[1], iter(row[2:])
        out[ids[row[0]]] = {f: next(values) for k, f in enumerate(fields) if mask & (1 << k)}
    return out


def decode(frame: Mapping[str, Any], tables: dict[str, Any]) -> dict[str, Any]:
    """The version 1 frame of a compact snapshot or delta (see :func:`decode_into`)."""
    sensors, zones = decode_into(frame, tables)
    out = {k: v for k, v in frame.items() if k not in _COMPACT_KEYS}
    out.update(v=1, sensors=sensors, zones=zones)
    analytics = frame.get("analytics")
    if analytics and "z" in analytics:
        patch = _from_rows(analytics["z"], tables["zone_ids"], tables["analytics_fields"])
        patch.update(analytics.get("zones") or {})
        out["analytics"] = {k: v for k, v in analytics.items() if k != "z"} | {"zones": patch}
    return out


def decode_into(
    frame: Mapping[str, Any], tables: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The version 1 ``sensors`` and ``zones`` of a compact frame.

    ``tables`` keeps the snapshot's index tables between calls (start with an
    empty dict); a snapshot replaces them. For Python clients and the bench;
    the browser has the same in ``viewer/web/src/live/compact.ts``.
    """
    if frame["type"] == "snapshot":
        tables.clear()
        tables.update(
            sensor_ids=frame["sensor_ids"],
            zone_ids=frame["zone_ids"],
            zone_fields=frame["zone_fields"],
            analytics_fields=frame["analytics_fields"],
            statuses=frame["statuses"],
        )
    sensor_ids, statuses = tables["sensor_ids"], tables["statuses"]
    zone_ids, fields = tables["zone_ids"], tables["zone_fields"]
    t0 = frame["t0"]
    sensors: dict[str, Any] = {}
    rows = frame["s"]
    for n in range(0, len(rows), 4):
        i, value, dt, code = rows[n : n + 4]
        sensors[sensor_ids[i]] = {
            "value": value,
            "ts": None if dt is None else (t0 + dt) / 1000,
            "status": statuses[code],
        }
    zones = _from_rows(frame["z"], zone_ids, fields)
    named = frame.get("named") or {}
    sensors.update(named.get("sensors", {}))
    zones.update(named.get("zones", {}))
    return sensors, zones
