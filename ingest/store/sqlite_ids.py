"""Venue and sensor names <-> the integer ids SQLite stores readings under.

Migration 0007 keys ``sensor_readings`` on ``(sid, ts)``; the names live once,
in ``venues`` and ``sensors``. Ids are never reused or deleted, so a cached id
stays right for the life of the database, also when another process (an
import beside the service) adds sensors: a name or id missing from the cache
is looked up again. Used from the store's one worker thread only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SensorIds", "VenueSensors"]


@dataclass(frozen=True, slots=True)
class VenueSensors:
    """One venue's sensors by id, with whether id order is also name order."""

    names: dict[int, str]
    rank: dict[int, int]  # position of the sensor's name among the venue's names
    id_order_is_name_order: bool


def _venue_sensors(rows: Iterable[tuple[int, str]]) -> VenueSensors:
    names = dict(rows)
    by_name = sorted(names, key=names.__getitem__)
    rank = {sid: i for i, sid in enumerate(by_name)}
    return VenueSensors(names, rank, by_name == sorted(names))


class SensorIds:
    """Cache of the name <-> id tables; forget() after a rolled-back write."""

    def __init__(self) -> None:
        self._venues: dict[str, int] = {}
        self._sensors: dict[tuple[int, str], int] = {}
        self._by_venue: dict[int, VenueSensors] = {}

    def forget(self) -> None:
        """Drop every cached id: a transaction that made some was rolled back."""
        self._venues.clear()
        self._sensors.clear()
        self._by_venue.clear()

    def venue(self, conn: sqlite3.Connection, venue: str, *, create: bool = False) -> int | None:
        vid = self._venues.get(venue)
        if vid is None:
            if create:
                conn.execute("INSERT OR IGNORE INTO venues (venue) VALUES (?)", (venue,))
            row = conn.execute("SELECT id FROM venues WHERE venue = ?", (venue,)).fetchone()
            if row is None:
                return None
            vid = self._venues[venue] = int(row[0])
        return vid

    def sensor(self, conn: sqlite3.Connection, venue: str, sensor: str) -> int | None:
        """The id of an existing sensor, or None (nothing stored for it)."""
        vid = self.venue(conn, venue)
        if vid is None:
            return None
        sid = self._sensors.get((vid, sensor))
        if sid is None:
            row = conn.execute(
                "SELECT id FROM sensors WHERE vid = ? AND sensor = ?", (vid, sensor)
            ).fetchone()
            if row is None:
                return None
            sid = self._sensors[(vid, sensor)] = int(row[0])
        return sid

    def ensure(
        self, conn: sqlite3.Connection, venue: str, sensors: Iterable[str]
    ) -> tuple[int, dict[str, int]]:
        """Venue id and sensor ids, made where missing (call inside the write).

        New sensors are made in name order, so a venue whose sensors arrive
        together keeps id order equal to name order (range_all then needs no
        sort).
        """
        vid = self.venue(conn, venue, create=True)
        assert vid is not None  # just made
        out: dict[str, int] = {}
        missing: list[str] = []
        for name in sensors:
            sid = self._sensors.get((vid, name))
            if sid is None:
                missing.append(name)
            else:
                out[name] = sid
        if missing:
            missing = sorted(set(missing))
            conn.executemany(
                "INSERT OR IGNORE INTO sensors (vid, sensor) VALUES (?, ?)",
                [(vid, name) for name in missing],
            )
            for name in missing:
                (sid,) = conn.execute(
                    "SELECT id FROM sensors WHERE vid = ? AND sensor = ?", (vid, name)
                ).fetchone()
                out[name] = self._sensors[(vid, name)] = int(sid)
            self._by_venue.pop(vid, None)
        return vid, out

    def of_venue(self, conn: sqlite3.Connection, vid: int, *, fresh: bool = False) -> VenueSensors:
        """The venue's sensors; ``fresh`` reads them again (an id was not known)."""
        known = self._by_venue.get(vid)
        if known is None or fresh:
            rows = conn.execute("SELECT id, sensor FROM sensors WHERE vid = ?", (vid,))
            known = self._by_venue[vid] = _venue_sensors((int(i), str(s)) for i, s in rows)
        return known
