"""Venue and sensor names -> the integer ids the readings are keyed on (migration 0007).

The writer turns every reading's ``(venue, sensor)`` into ``(vid, sid)`` from
a cache; names it has not seen are registered first, in a transaction of
their own that commits before the readings' write begins. Ids therefore
always exist once handed out: a readings transaction that fails or rolls
back cannot leave the cache holding an id the database never kept. Several
processes may register one name at once: ``ON CONFLICT DO NOTHING`` and the
read-back give all of them the same id. A sensor registered for a batch that
then failed has no readings; every read joins readings to sensors, so it is
simply not seen.

The cache is cleared whenever the store reconnects (a server restored from a
backup, or a fail-over, may not hold the same ids), and when it would grow
past ``max_entries`` (memory stays bounded whatever names arrive).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, LiteralString

import psycopg

from ingest.contract import Reading

__all__ = ["Key", "SensorIds"]

Key = tuple[str, str]  # venue, sensor

_REGISTER_VENUES: LiteralString = """
INSERT INTO venues (venue)
SELECT DISTINCT v FROM unnest(%s::text[]) AS v ORDER BY 1
ON CONFLICT (venue) DO NOTHING
"""

# Names in order, so a venue whose sensors arrive together gets ids in name order.
_REGISTER_SENSORS: LiteralString = """
INSERT INTO sensors (vid, sensor)
SELECT v.vid, k.sensor
FROM unnest(%s::text[], %s::text[]) AS k(venue, sensor)
JOIN venues AS v ON v.venue = k.venue
ORDER BY k.venue, k.sensor
ON CONFLICT (vid, sensor) DO NOTHING
"""

_READ_BACK: LiteralString = """
SELECT k.venue, k.sensor, s.vid, s.sid
FROM unnest(%s::text[], %s::text[]) AS k(venue, sensor)
JOIN venues AS v ON v.venue = k.venue
JOIN sensors AS s ON s.vid = v.vid AND s.sensor = k.sensor
"""


class SensorIds:
    """``(venue, sensor) -> (vid, sid)``, filled from the ``sensors`` table."""

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._ids: dict[Key, tuple[int, int]] = {}
        self._max = max_entries

    def clear(self) -> None:
        self._ids.clear()

    def get(self, key: Key) -> tuple[int, int] | None:
        return self._ids.get(key)

    def lookup(self, readings: Sequence[Reading]) -> list[tuple[int, int]] | None:
        """``(vid, sid)`` of every reading, or None when any name is not cached."""
        get = self._ids.get
        found = [get((r.venue, r.sensor)) for r in readings]
        if None in found:
            return None
        return found  # type: ignore[return-value]  # no None left

    def missing(self, keys: Iterable[Key]) -> list[Key]:
        """The keys not in the cache, each once."""
        ids = self._ids
        return list(dict.fromkeys(k for k in keys if k not in ids))

    async def register(self, conn: psycopg.AsyncConnection[Any], keys: list[Key]) -> None:
        """Make (or find) ids for ``keys`` and cache them; commits its own transaction."""
        if not keys:
            return
        venues = [v for v, _ in keys]
        sensors = [s for _, s in keys]
        async with conn.transaction():
            await conn.execute(_REGISTER_VENUES, (venues,))
            await conn.execute(_REGISTER_SENSORS, (venues, sensors))
            rows = await (await conn.execute(_READ_BACK, (venues, sensors))).fetchall()
        if len(self._ids) + len(rows) > self._max:
            self._ids.clear()
        for venue, sensor, vid, sid in rows:
            self._ids[(str(venue), str(sensor))] = (int(vid), int(sid))
