"""How far a sensor's level moved lately, in its own usual moves: a room's sign.

A door left open moves a zone's temperature, humidity and CO2 at once, but
the humidity and CO2 move smoothly, over tens of minutes, so neither a typed
detector nor the calibrated score need name them in the minutes a
thermometer's level shift is held. A sensor's offset moves it alone.
:class:`RecentMotion` keeps, per sensor, one-minute means of the last
``ring`` minutes and the usual size of a ``span``'s move (learnt online,
robustly: a room event teaches it little), so that a held level shift can
ask, at its release, whether another sensor of its zone moved far more than
it usually does in the same minutes.

State per sensor: a ring of ``ring_bins`` floats and ints, the open bin and
the scale (about 0.5 KB with the defaults); one add per reading, a ring
write per minute.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

__all__ = ["MotionConfig", "RecentMotion"]


@dataclass(frozen=True, slots=True)
class MotionConfig:
    """``bin_s``: the bins' length; ``span_bins``: bins in one move (its mean
    against the mean of as many bins before); ``ring_bins``: bins kept (two
    spans and a few minutes of slack for the release); ``learn``: one bin's
    weight in the usual move (a day's time constant); ``clip``: no move
    teaches the scale more than this many scales; ``warmup_bins``: moves
    learnt before the scale is trusted."""

    bin_s: float = 60.0
    span_bins: int = 10
    ring_bins: int = 24
    learn: float = 1.0 / 1440.0
    clip: float = 5.0
    warmup_bins: int = 120


class _Track:
    __slots__ = ("bin", "bin_n", "bin_sum", "idx", "learnt", "means", "scale")

    def __init__(self, ring: int) -> None:
        self.bin = -1  # the open bin's index
        self.bin_sum = 0.0
        self.bin_n = 0
        self.means = array("d", [math.nan] * ring)
        self.idx = array("q", [-1] * ring)  # which bin each slot holds
        self.scale = math.nan  # mean |move| of a span
        self.learnt = 0


class RecentMotion:
    """Per-sensor minute means and the usual size of a span's move."""

    def __init__(self, config: MotionConfig | None = None) -> None:
        self.config = config if config is not None else MotionConfig()
        if self.config.ring_bins < 2 * self.config.span_bins + 1:
            raise ValueError("ring_bins must hold two spans and the open bin")
        self._tracks: dict[str, _Track] = {}

    def update(self, sensor: str, ts: float, value: float) -> None:
        """Add one reading (in time order per sensor; a late one is ignored)."""
        cfg = self.config
        t = self._tracks.get(sensor)
        if t is None:
            t = self._tracks[sensor] = _Track(cfg.ring_bins)
        b = int(ts // cfg.bin_s)
        if b < t.bin:
            return
        if b != t.bin:
            if t.bin_n:
                self._close(t)
            t.bin, t.bin_sum, t.bin_n = b, 0.0, 0
        t.bin_sum += value
        t.bin_n += 1

    def _close(self, t: _Track) -> None:
        cfg = self.config
        slot = t.bin % cfg.ring_bins
        t.means[slot], t.idx[slot] = t.bin_sum / t.bin_n, t.bin
        move = self._move(t, t.bin + 1 - cfg.span_bins, t.bin + 1)
        if move is None:
            return
        size = abs(move)
        if math.isnan(t.scale):
            t.scale = size
        else:
            t.scale += cfg.learn * (min(size, cfg.clip * t.scale) - t.scale)
        t.learnt += 1

    def _mean(self, t: _Track, first: int, end: int) -> float | None:
        ring = self.config.ring_bins
        total, n = 0.0, 0
        for b in range(first, end):
            if b == t.bin and t.bin_n:  # the open bin: what it has so far
                total += t.bin_sum / t.bin_n
                n += 1
            elif t.idx[b % ring] == b:
                total += t.means[b % ring]
                n += 1
        # Half the bins at least: a gap leaves too little to call it a level.
        return total / n if 2 * n >= end - first else None

    def _move(self, t: _Track, first: int, end: int) -> float | None:
        """Mean of bins [first, end) less the mean of as many bins before them."""
        after = self._mean(t, first, end)
        before = self._mean(t, 2 * first - end, first)
        if after is None or before is None:
            return None
        return after - before

    def moved(self, sensor: str, since: float, now: float) -> float:
        """How far the sensor's level moved from before ``since`` to ``now``
        (at most a span each side; the open bin counts), in its usual moves
        of a span; 0 if not known yet."""
        cfg = self.config
        t = self._tracks.get(sensor)
        if t is None or t.learnt < cfg.warmup_bins or not t.scale > 0.0:
            return 0.0
        first = int(since // cfg.bin_s)
        end = min(int(now // cfg.bin_s), t.bin + 1, first + cfg.span_bins)
        end = max(end, first + 1)
        first = max(first, end - cfg.span_bins)
        if end - first < 1 or t.bin - (2 * first - end) >= cfg.ring_bins:
            return 0.0
        move = self._move(t, first, end)
        return 0.0 if move is None else abs(move) / t.scale
