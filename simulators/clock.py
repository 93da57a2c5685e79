"""The simulated clock: where simulated time is, and how it maps to wall time."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from simulators.errors import SimulatorError

__all__ = ["SimClock"]


@dataclass
class SimClock:
    """Simulated time in UTC epoch seconds.

    ``speed`` is simulated seconds per wall second; ``math.inf`` means "as fast
    as possible" (the caller steps without sleeping). The clock is anchored to
    a wall-clock reading (any monotonic source) with :meth:`anchor`; then
    :meth:`target` says how far simulated time should have advanced.
    """

    start: float
    speed: float = 1.0
    _now: float = field(init=False)
    _anchor_wall: float | None = field(init=False, default=None)
    _anchor_sim: float = field(init=False)

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise SimulatorError(f"clock speed must be positive (or inf), got {self.speed}")
        self._now = self.start
        self._anchor_sim = self.start

    @property
    def now(self) -> float:
        return self._now

    @property
    def elapsed(self) -> float:
        return self._now - self.start

    @property
    def realtime(self) -> bool:
        """True when the clock follows wall time (finite speed)."""
        return math.isfinite(self.speed)

    def advance(self, dt_s: float) -> float:
        if dt_s < 0:
            raise SimulatorError(f"cannot step the clock backwards ({dt_s} s)")
        self._now += dt_s
        return self._now

    def anchor(self, wall_s: float) -> None:
        """Declare that the current simulated time corresponds to ``wall_s``."""
        self._anchor_wall = wall_s
        self._anchor_sim = self._now

    def target(self, wall_s: float) -> float:
        """Simulated time the clock should have reached at wall time ``wall_s``."""
        if self._anchor_wall is None or not self.realtime:
            return self._now
        return self._anchor_sim + (wall_s - self._anchor_wall) * self.speed

    def wall_at(self, sim_s: float) -> float:
        """Wall time at which simulated time ``sim_s`` falls due (anchored clocks only)."""
        if self._anchor_wall is None or not self.realtime:
            raise SimulatorError("wall_at needs an anchored clock with finite speed")
        return self._anchor_wall + (sim_s - self._anchor_sim) / self.speed
