"""Refresh TimescaleDB continuous aggregates over late data.

A refresh policy only looks back ``start_offset`` (2 h for ``readings_1m``,
3 days for ``readings_1h``): readings older than that which arrive later (a
spool draining after an outage, a gateway's backlog, an archive import) would
never reach the aggregates, and history read from them would count too few.
The writer tells :class:`LateDataRefresher` the time span of every batch's new
rows (one ``min``/``max`` in the insert statement, nothing per reading); spans
older than a view's policy window are merged into a few bucket-aligned ranges,
and a background task calls ``refresh_continuous_aggregate`` for them every
``interval_s``: off the write path, coalesced, and bounded in memory
(``max_ranges`` ranges per view, the closest merged when there are more).
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import psycopg

from ingest.store.postgres.timescale import CONTINUOUS_AGGREGATES, ContinuousAggregate

__all__ = ["LateDataRefresher", "interval_seconds"]

log = logging.getLogger(__name__)

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}

Connect = Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]


def interval_seconds(text: str) -> int:
    """``'2 hours'`` -> 7200 (the simple intervals of CONTINUOUS_AGGREGATES)."""
    amount, unit = text.split()
    return int(amount) * _UNITS[unit.rstrip("s")]


class _Ranges:
    """Disjoint, sorted [start, end) ranges in ms, at most ``limit`` of them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        items = self.items
        i = bisect.bisect_left(items, (start, end))
        if i > 0 and items[i - 1][1] >= start:  # touches the one before
            i -= 1
        j = i
        while j < len(items) and items[j][0] <= end:
            start, end = min(start, items[j][0]), max(end, items[j][1])
            j += 1
        items[i:j] = [(start, end)]
        while len(items) > self.limit:  # merge across the smallest gap
            k = min(range(len(items) - 1), key=lambda n: items[n + 1][0] - items[n][1])
            items[k : k + 2] = [(items[k][0], items[k + 1][1])]


class LateDataRefresher:
    """Collects late spans (:meth:`note`, cheap, synchronous) and refreshes them
    (:meth:`flush`, or :meth:`run` in the background)."""

    def __init__(
        self,
        connect: Connect,
        *,
        aggregates: tuple[ContinuousAggregate, ...] = CONTINUOUS_AGGREGATES,
        clock: Callable[[], float] = time.time,
        max_ranges: int = 16,
    ) -> None:
        self._connect = connect
        self._clock = clock
        self._aggregates = aggregates
        self._pending = {c.view: _Ranges(max_ranges) for c in aggregates}
        # A span newer than now - start_offset + schedule_interval is still
        # inside the window of the policy's next run: the policy takes it.
        self._reach_ms = {c.view: _reach_ms(c) for c in aggregates}
        self._cagg = {c.view: c.cagg for c in aggregates}  # what refresh is called on
        self.refreshes = 0  # refresh calls made (for tests and metrics)

    def pending(self, view: str) -> list[tuple[int, int]]:
        return list(self._pending[view].items)

    def note(self, first_ms: int, last_ms: int) -> None:
        """New rows between ``first_ms`` and ``last_ms`` (inclusive) were stored."""
        now_ms = int(self._clock() * 1000)
        for cagg in self._aggregates:
            horizon = now_ms - self._reach_ms[cagg.view]
            if first_ms >= horizon:
                continue
            width = cagg.width_s * 1000
            # Whole buckets only: refresh_continuous_aggregate skips partial ones.
            start = first_ms // width * width
            end = (min(last_ms, horizon) // width + 1) * width
            self._pending[cagg.view].add(start, end)

    async def flush(self) -> int:
        """Refresh every pending range; returns how many calls were made. A
        failed range stays pending for the next flush."""
        work = {view: ranges.items for view, ranges in self._pending.items() if ranges.items}
        if not work:
            return 0
        for ranges in self._pending.values():
            ranges.items = []
        done = 0
        try:
            async with await self._connect() as conn:
                for view, items in work.items():
                    while items:
                        start, end = items[0]
                        # A procedure that commits as it goes: autocommit, no transaction.
                        await conn.execute(
                            "CALL refresh_continuous_aggregate(%s::regclass, %s, %s)",
                            (self._cagg[view], _utc(start), _utc(end)),
                        )
                        items.pop(0)
                        done += 1
        except psycopg.Error as exc:
            log.warning("refreshing continuous aggregates over late data failed: %s", exc)
            for view, items in work.items():
                for start, end in items:
                    self._pending[view].add(start, end)
        self.refreshes += done
        return done

    async def run(self, interval_s: float = 30.0) -> None:
        """Flush every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.flush()
            except OSError as exc:
                log.warning("refreshing continuous aggregates over late data failed: %s", exc)


def _reach_ms(cagg: ContinuousAggregate) -> int:
    return 1000 * (interval_seconds(cagg.start_offset) - interval_seconds(cagg.schedule_interval))


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
