"""Venue and sensor names -> the integer ids the readings are keyed on (migration 0007).

The writer turns every reading's ``(venue, sensor)`` into ``(vid, sid)`` from
a cache; names it has not seen are registered in the readings' own
transaction (no extra commit, so no extra fsync) and cached only after it
has committed: a transaction that fails or rolls back cannot leave the cache
holding an id the database never kept. Several processes may register one
name at once: ``ON CONFLICT DO NOTHING`` waits for the other's insert, and the
read-back gives all of them the same id; names go in sorted order, so two
such registrations wait for each other rather than deadlock.

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

# One venue's new names in order, so sensors that arrive together get ids in
# name order and two registrations of the same names wait for each other
# rather than deadlock; compared as COLLATE "C", the columns' collation.
# RETURNING gives the ids of the names this statement added: in the usual
# case (nobody else registering them) that is every name, in one round trip.
_REGISTER_SENSORS: LiteralString = """
INSERT INTO sensors (vid, sensor)
SELECT %s, k.sensor FROM unnest(%s::text[]) AS k(sensor)
ORDER BY k.sensor COLLATE "C"
ON CONFLICT (vid, sensor) DO NOTHING
RETURNING sensor, sid
"""

# Read back per venue with = ANY (names another process registered first, or
# registered before a reconnect cleared the cache): one index range or one
# hashed pass over sensors whatever the planner believes about the table's
# size. A join of the names to sensors was planned as a nested loop over a
# table the planner took for empty (not analysed yet while sensors arrive).
_VENUE_IDS: LiteralString = (
    'SELECT venue, vid FROM venues WHERE venue = ANY(%s::text[] COLLATE "C")'
)
_SENSOR_IDS: LiteralString = (
    'SELECT sensor, sid FROM sensors WHERE vid = %s AND sensor = ANY(%s::text[] COLLATE "C")'
)


class SensorIds:
    """``(venue, sensor) -> (vid, sid)``, filled from the ``sensors`` table."""

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._ids: dict[Key, tuple[int, int]] = {}
        self._vids: dict[str, int] = {}  # venues whose registration has committed
        self._max = max_entries

    def clear(self) -> None:
        self._ids.clear()
        self._vids.clear()

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

    async def resolve(
        self, conn: psycopg.AsyncConnection[Any], keys: Sequence[Key]
    ) -> tuple[list[tuple[int, int]], dict[Key, tuple[int, int]]]:
        """``(vid, sid)`` of every key, registering unknown names, inside the
        caller's transaction; also the new ids, for :meth:`remember` once that
        transaction has committed (until then they may vanish with a rollback)."""
        found = await self._register(conn, self.missing(keys))
        ids, get = self._ids, found.get
        return [ids.get(k) or get(k) for k in keys], found  # type: ignore[misc]

    def remember(self, found: dict[Key, tuple[int, int]]) -> None:
        """Cache ids whose registration has committed."""
        if len(self._ids) + len(found) > self._max:
            self.clear()
        self._ids.update(found)
        for (venue, _), (vid, _) in found.items():
            self._vids[venue] = vid

    async def _register(
        self, conn: psycopg.AsyncConnection[Any], keys: list[Key]
    ) -> dict[Key, tuple[int, int]]:
        if not keys:
            return {}
        by_venue: dict[str, list[str]] = {}
        for venue, sensor in keys:
            by_venue.setdefault(venue, []).append(sensor)
        # prepare=False: a prepared statement gets a generic plan after a few
        # runs, where ``= ANY($n)`` searches the array linearly for every row
        # of the venue's sensors (42 ms per 250 new names at 10,000 sensors,
        # against 6 ms planned with its own array).
        vids = {v: self._vids[v] for v in by_venue if v in self._vids}
        new_venues = sorted(v for v in by_venue if v not in vids)
        if new_venues:
            await conn.execute(_REGISTER_VENUES, (new_venues,), prepare=False)
            cur = await conn.execute(_VENUE_IDS, (new_venues,), prepare=False)
            vids.update({str(v): int(i) for v, i in await cur.fetchall()})
        found: dict[Key, tuple[int, int]] = {}
        for venue in sorted(by_venue):
            vid, names = vids[venue], by_venue[venue]
            cur = await conn.execute(_REGISTER_SENSORS, (vid, names), prepare=False)
            for name, sid in await cur.fetchall():
                found[(venue, str(name))] = (vid, int(sid))
            rest = [n for n in names if (venue, n) not in found]
            if rest:
                cur = await conn.execute(_SENSOR_IDS, (vid, rest), prepare=False)
                for name, sid in await cur.fetchall():
                    found[(venue, str(name))] = (vid, int(sid))
        return found
