"""The clock the data runs on: wall time, or the readings' own time during a catch-up.

When readings arrive far behind the wall clock (the demo replaying the past
day at ``--speed``, a gateway's spool draining after an outage), judging them
against the wall clock calls every sensor stale and every gap a day long.
Staleness, offline and silence watchdogs ask this clock instead. Per venue::

    now = min(wall, latest reading ts + wall seconds since that reading arrived)

so it follows the newest data while data lags, and is the wall clock once the
data is live (or when the data stops: from the last reading it runs at 1x, as
the wall clock would). It never runs backwards, and it never runs ahead of the
data at more than 1x, so a fast catch-up sees no longer gap than the same day
at 1x would: it can raise no silence or staleness alarm that 1x would not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CATCH_UP_LAG_S", "ClockInfo", "DataClock"]

# Data more than this behind the wall clock is a catch-up (the page says so).
CATCH_UP_LAG_S = 120.0


@dataclass(frozen=True, slots=True)
class ClockInfo:
    """Which clock a venue is on now: ``wall``, or ``data`` with its lag behind the wall."""

    mode: str
    now: float
    lag_s: float


class DataClock:
    def __init__(
        self, wall: Callable[[], float] = time.time, *, catch_up_lag_s: float = CATCH_UP_LAG_S
    ) -> None:
        self._wall = wall
        self._lag = catch_up_lag_s
        self._latest: dict[str, float] = {}  # venue -> newest reading ts
        self._seen_at: dict[str, float] = {}  # venue -> wall time it arrived
        self._last: dict[str, float] = {}  # venue -> last answer (monotonic)

    def observe(self, venue: str, ts: float) -> None:
        """A reading (or status) stamped ``ts`` arrived for ``venue``."""
        if ts > self._latest.get(venue, float("-inf")):
            self._latest[venue] = ts
            self._seen_at[venue] = self._wall()

    def now(self, venue: str) -> float:
        wall = self._wall()
        latest = self._latest.get(venue)
        if latest is None:
            return wall
        data = latest + max(0.0, wall - self._seen_at[venue])
        answer = max(min(wall, data), self._last.get(venue, float("-inf")))
        self._last[venue] = answer
        return answer

    def info(self, venue: str) -> ClockInfo:
        now = self.now(venue)
        lag = max(0.0, self._wall() - now)
        return ClockInfo("data" if lag > self._lag else "wall", now, lag)
