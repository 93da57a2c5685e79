"""In-memory :class:`~ingest.store.base.Store` for unit tests of logic around a store.

Behaves like the real adapters (same keys, bounds and bucket maths; it passes
the conformance suite) and can simulate outages: set :attr:`available` to
``False``, or call :meth:`fail_next` to make the next N writes raise
:class:`StoreUnavailable` (or any exception).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ingest.contract import DeadLetter, Quality, Reading
from ingest.store.base import Bucket, StoreUnavailable, ZoneAggregate
from ingest.store.rows import from_ms, to_ms, width_ms

__all__ = ["MemoryStore"]


class MemoryStore:
    def __init__(self) -> None:
        self._series: dict[tuple[str, str], dict[int, tuple[float, Quality]]] = {}
        self._letters: list[DeadLetter] = []
        self.available = True
        self.is_open = False
        self.write_calls = 0
        self._failures: list[BaseException] = []

    def fail_next(self, n: int, error: BaseException | None = None) -> None:
        """Make the next ``n`` write calls raise ``error`` (default StoreUnavailable)."""
        self._failures.extend(
            [error or StoreUnavailable("simulated outage (MemoryStore.fail_next)")] * n
        )

    def _check(self) -> None:
        if not self.available:
            raise StoreUnavailable("simulated outage (MemoryStore.available = False)")

    def _check_write(self) -> None:
        self.write_calls += 1
        self._check()
        if self._failures:
            raise self._failures.pop(0)

    @property
    def row_count(self) -> int:
        return sum(len(points) for points in self._series.values())

    async def open(self, *, background: bool = False) -> None:
        # Nothing to reach in the background: an outage at open is an error either way.
        self._check()
        self.is_open = True

    @property
    def connected(self) -> bool:
        return self.is_open and self.available

    async def wait_connected(self, timeout: float | None = None) -> bool:
        return self.connected

    async def close(self) -> None:
        self.is_open = False

    async def write_readings(self, readings: Sequence[Reading]) -> int:
        self._check_write()
        new = 0
        for r in readings:
            points = self._series.setdefault((r.venue, r.sensor), {})
            ms = to_ms(r.ts)
            if ms not in points:
                points[ms] = (r.value, r.quality)
                new += 1
        return new

    async def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        self._check_write()
        self._letters.extend(letters)

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        self._check()
        # Stable sort keeps insertion order among equal times; reverse it for "newest first".
        indexed = sorted(enumerate(self._letters), key=lambda p: (p[1].received_at, p[0]))
        return [d for _, d in reversed(indexed)][:limit]

    async def latest(self, venue: str) -> list[Reading]:
        self._check()
        out = []
        for (v, sensor), points in sorted(self._series.items()):
            if v == venue and points:
                ms = max(points)
                value, quality = points[ms]
                out.append(Reading(venue, sensor, from_ms(ms), value, quality))
        return out

    def _range(self, venue: str, sensor: str, start: float, end: float) -> list[tuple[int, float]]:
        lo, hi = to_ms(start), to_ms(end)
        points = self._series.get((venue, sensor), {})
        return sorted((ms, v) for ms, (v, _) in points.items() if lo <= ms < hi)

    async def raw(
        self, venue: str, sensor: str, start: float, end: float, limit: int = 10_000
    ) -> list[Reading]:
        self._check()
        points = self._series.get((venue, sensor), {})
        return [
            Reading(venue, sensor, from_ms(ms), points[ms][0], points[ms][1])
            for ms, _ in self._range(venue, sensor, start, end)[:limit]
        ]

    async def range_all(
        self,
        venue: str,
        start: float,
        end: float,
        limit: int = 10_000,
        *,
        after_sensor: str | None = None,
    ) -> list[Reading]:
        self._check()
        lo, hi = to_ms(start), to_ms(end)
        rows = sorted(
            (ms, sensor, value, quality)
            for (v, sensor), points in self._series.items()
            if v == venue
            for ms, (value, quality) in points.items()
            if lo <= ms < hi and (after_sensor is None or ms > lo or sensor > after_sensor)
        )
        return [Reading(venue, s, from_ms(ms), value, q) for ms, s, value, q in rows[:limit]]

    async def latest_before(self, venue: str, t: float) -> list[Reading]:
        self._check()
        bound = to_ms(t)
        out = []
        for (v, sensor), points in sorted(self._series.items()):
            before = [ms for ms in points if ms < bound] if v == venue else []
            if before:
                ms = max(before)
                value, quality = points[ms]
                out.append(Reading(venue, sensor, from_ms(ms), value, quality))
        return out

    @staticmethod
    def _buckets(points: list[tuple[int, float]], w: int) -> dict[int, list[float]]:
        out: dict[int, list[float]] = {}
        for ms, value in points:
            out.setdefault(ms - ms % w, []).append(value)  # Python's % floors
        return out

    async def downsampled(
        self, venue: str, sensor: str, start: float, end: float, width_s: float
    ) -> list[Bucket]:
        self._check()
        buckets = self._buckets(self._range(venue, sensor, start, end), width_ms(width_s))
        return [
            Bucket(from_ms(b), min(vs), max(vs), math.fsum(vs) / len(vs), len(vs))
            for b, vs in sorted(buckets.items())
        ]

    async def zone_aggregates(
        self,
        venue: str,
        sensors_by_zone: Mapping[str, Sequence[str]],
        start: float,
        end: float,
        width_s: float,
    ) -> list[ZoneAggregate]:
        self._check()
        w = width_ms(width_s)
        out: list[ZoneAggregate] = []
        for zone in sorted(sensors_by_zone):
            points = [
                p
                for sensor in dict.fromkeys(sensors_by_zone[zone])
                for p in self._range(venue, sensor, start, end)
            ]
            for b, vs in sorted(self._buckets(points, w).items()):
                out.append(
                    ZoneAggregate(
                        zone, from_ms(b), math.fsum(vs) / len(vs), min(vs), max(vs), len(vs)
                    )
                )
        return out
