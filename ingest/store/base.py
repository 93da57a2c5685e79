"""The storage port: what the rest of the platform may ask of a store.

Adapters (SQLite, PostgreSQL/TimescaleDB, the in-memory fake) implement
:class:`Store` and pass the same conformance suite in
``tests/integration/test_store_conformance.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ingest.contract import DeadLetter, Reading

__all__ = [
    "Bucket",
    "InvalidReadings",
    "Store",
    "StoreError",
    "StoreMisconfigured",
    "StoreUnavailable",
    "ZoneAggregate",
]


class StoreError(Exception):
    """Base of every storage failure the adapters raise."""


class StoreUnavailable(StoreError):
    """The database cannot be reached now; the caller may retry later."""


class StoreMisconfigured(StoreError):
    """The database answered but refuses our settings: wrong password, unknown role or
    database, missing privileges, a malformed URL.

    Retrying cannot help until a person fixes the settings (or the server), so
    start-up reports it instead of waiting for the database.
    """


class InvalidReadings(StoreError):
    """The database refused the data itself (e.g. a NUL byte in a name), not the connection.

    Retrying the same batch can never succeed; the writer isolates and drops
    the offending readings instead of stalling on them.
    """


@dataclass(frozen=True, slots=True)
class Bucket:
    """One downsampled interval of one sensor: ``[start, start + width)``."""

    start: float
    min: float
    max: float
    mean: float
    count: int


@dataclass(frozen=True, slots=True)
class ZoneAggregate:
    zone: str
    start: float
    mean: float
    min: float
    max: float
    count: int


class Store(Protocol):
    """Time-series storage keyed on (venue, sensor, ts); writes are idempotent."""

    async def open(self, *, background: bool = False) -> None:
        """Connect and apply pending migrations.

        Raises :class:`StoreUnavailable` if the database cannot be reached now,
        unless ``background`` is true: the store then keeps connecting (and
        migrates once it can) in the background, :attr:`connected` stays false
        and calls raise :class:`StoreUnavailable` until then. Raises
        :class:`StoreMisconfigured` either way when the database refuses the
        settings.
        """
        ...

    async def close(self) -> None: ...

    @property
    def connected(self) -> bool:
        """Whether the store believes it can serve calls now (false during an outage)."""
        ...

    async def wait_connected(self, timeout: float | None = None) -> bool:
        """Wait until :attr:`connected`; false if ``timeout`` seconds passed first.

        Raises :class:`StoreMisconfigured` if reconnecting found the settings refused.
        """
        ...

    async def write_readings(self, readings: Sequence[Reading]) -> int:
        """Store readings; duplicates on (venue, sensor, ts) are ignored.

        Returns how many rows were new. Raises :class:`StoreUnavailable` when
        the database cannot be reached, leaving nothing half-written.
        """
        ...

    async def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None: ...

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        """Most recent first."""
        ...

    async def latest(self, venue: str) -> list[Reading]:
        """The newest reading of every sensor of the venue."""
        ...

    async def raw(
        self, venue: str, sensor: str, start: float, end: float, limit: int = 10_000
    ) -> list[Reading]:
        """Readings with ``start <= ts < end``, oldest first."""
        ...

    async def range_all(
        self,
        venue: str,
        start: float,
        end: float,
        limit: int = 10_000,
        *,
        after_sensor: str | None = None,
    ) -> list[Reading]:
        """Readings of every sensor of the venue with ``start <= ts < end``.

        Ordered by ``(ts, sensor)`` (sensor names by code point), at most
        ``limit`` of them. To read the next page pass the last reading's ``ts``
        as ``start`` and its sensor as ``after_sensor``: readings at exactly
        ``start`` are then only those of later sensors, so paging never repeats
        or skips a reading, however many sensors share one timestamp.
        """
        ...

    async def latest_before(self, venue: str, t: float) -> list[Reading]:
        """The newest reading with ``ts < t`` of every sensor of the venue, by sensor.

        Sensors with no reading before ``t`` are left out. What the venue
        looked like just before ``t``: the state a replay seeks to.
        """
        ...

    async def downsampled(
        self, venue: str, sensor: str, start: float, end: float, width_s: float
    ) -> list[Bucket]:
        """Min, max, mean and count per bucket of ``width_s`` seconds, oldest first.

        Buckets are aligned to the epoch so the same interval always yields
        the same buckets.
        """
        ...

    async def zone_aggregates(
        self,
        venue: str,
        sensors_by_zone: Mapping[str, Sequence[str]],
        start: float,
        end: float,
        width_s: float,
    ) -> list[ZoneAggregate]:
        """Per-zone mean/min/max over the zone's given sensors, per bucket.

        The store knows no zones: the twin passes which sensors (usually of
        one kind) make up each zone.
        """
        ...
