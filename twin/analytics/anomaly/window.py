"""Spikes and steps judged against the sensor's own noise, not the room's changes.

A room's temperature, humidity and CO2 change all day (visitors, ventilation,
the sun), often by far more than a sensor's noise; a residual against a slow
level therefore mixes the two, and a fault a few noise sigmas in size is
either lost (a wide scale) or drowned in false alarms (a narrow one). Sampled
every few seconds, the real signal is smooth from one reading to the next,
so here the noise is measured on first differences, and faults are judged
in a short window of the last ``2 k`` readings:

- **spike**: the reading ``k / 2`` readings ago against the mean of the
  readings on both sides of it (a local linear trend cancels), reported once
  the readings after it have returned (so the start of a step is not a spike);
- **step** (level shift, e.g. an offset): the mean of the last ``k`` readings
  against the mean of the ``k`` before them, noise ``sqrt(2 / k)`` sigma, and
  sharp: most of the change between two adjacent readings at the boundary;
  and held: the newest half less its wildest reading still carries half of
  it (one wild reading is a spike, not a step).

State: a ring of ``2 k`` floats and the noise scale; one window sum per
reading. Readings across a gap or out of a stuck spell are not judged (the
buffer restarts), since a jump there is the gap's or the stuck value's fault.
"""

from __future__ import annotations

import math

__all__ = ["WindowDetector", "WindowFinding"]

# sigma = sqrt(pi / 2) * mean absolute deviation; a difference has sqrt(2) sigma.
_DIFF_TO_SIGMA = 1.2533141373155001 / math.sqrt(2.0)
_SCALE_ALPHA = 0.005
# Differences are winsorised at this many scales before they move the scale.
_CLIP = 4.0
_WARMUP = 30
# The jump at a step's boundary must be this many noise sigmas (2 sigma of a difference).
_JUMP_SIGMA = 2.0 * math.sqrt(2.0)


def _held(window: list[float], half: int, step: float) -> bool:
    """Whether the newest half moved as a whole, not by one wild reading: less
    its reading farthest in the step's direction, its mean must still carry
    half the step. A 10-20 sigma spike in the newest half lifts its mean by
    2-3 sigma, enough (with a noise jump at the boundary) to pass as a step,
    and the step's cooldown then hid the spike itself."""
    after = window[half:]
    wild = max(after) if step > 0.0 else min(after)
    before = sum(window[:half]) / half
    rest = (sum(after) - wild) / (len(after) - 1) - before
    return rest * step > 0.0 and abs(rest) >= 0.5 * abs(step)


class WindowFinding:
    """A spike or step found in the window: which, where, and how big in sigmas."""

    __slots__ = ("after", "before", "kind", "size", "ts", "value")

    def __init__(
        self, kind: str, ts: float, value: float, size: float, before: float, after: float
    ) -> None:
        self.kind = kind  # "spike" or "step"
        self.ts = ts  # the spike's reading, or the first reading after the step
        self.value = value
        self.size = size  # in sigmas of the statistic
        self.before = before  # level before (for a spike: expected value)
        self.after = after


class WindowDetector:
    """Spike and step tests on the last ``2 * half`` readings, in first-difference noise."""

    __slots__ = (
        "_cooldown",
        "_count",
        "_filled",
        "_half",
        "_last",
        "_mad",
        "_min_scale",
        "_pos",
        "_quantum",
        "_ring",
        "_spike_sigma",
        "_step_sigma",
        "_times",
    )

    def __init__(
        self, half: int, spike_sigma: float | None, step_sigma: float | None, min_scale: float
    ) -> None:
        self._half = half
        self._spike_sigma = spike_sigma
        self._step_sigma = step_sigma
        self._min_scale = min_scale
        self._ring = [0.0] * (2 * half)
        self._times = [0.0] * (2 * half)
        self._pos = 0
        self._filled = 0
        self._mad = 0.0
        self._count = 0
        self._last = math.nan
        self._cooldown = 0
        self._quantum = math.inf

    @property
    def noise(self) -> float:
        """Reading-to-reading noise standard deviation learned from differences."""
        floor = 0.5 * self._quantum if self._quantum < math.inf else self._min_scale
        return max(self._mad * _DIFF_TO_SIGMA, self._min_scale, floor)

    def restart(self) -> None:
        """Forget the window (after a gap or a stuck spell); the noise scale is kept."""
        self._filled = 0
        self._last = math.nan

    def _learn_noise(self, value: float) -> None:
        last = self._last
        self._last = value
        if last != last:  # NaN: first reading after a restart
            return
        diff = abs(value - last)
        if 0.0 < diff < self._quantum:
            self._quantum = diff  # the resolution: a quantised sensor's noise floor
        self._count += 1
        if self._count <= _WARMUP:
            self._mad += (diff - self._mad) / self._count
            return
        limit = _CLIP * self._mad
        self._mad += _SCALE_ALPHA * ((diff if diff < limit else limit) - self._mad)

    def update(self, ts: float, value: float) -> WindowFinding | None:
        """Add a reading; a spike or step found in the window, if any."""
        half = self._half
        size = 2 * half
        ring = self._ring
        ring[self._pos] = value
        self._times[self._pos] = ts
        self._pos = (self._pos + 1) % size
        if self._filled < size:
            self._filled += 1
        self._learn_noise(value)
        if self._filled < size or self._count < _WARMUP:
            return None
        if self._cooldown:
            self._cooldown -= 1
            return None
        # Oldest first.
        pos = self._pos
        window = ring[pos:] + ring[:pos]
        sigma = self.noise
        before = sum(window[:half]) / half
        after = sum(window[half:]) / half
        # Step at the boundary between the halves.
        step = after - before
        step_z = step / (sigma * math.sqrt(2.0 / half))
        if self._step_sigma is not None and abs(step_z) >= self._step_sigma:
            jump = window[half] - window[half - 1]
            # Sharp: the boundary pair carries most of the change, and is itself
            # beyond its noise (a ramp spreads its change over every pair).
            sharp = abs(jump) >= max(0.5 * abs(step), _JUMP_SIGMA * sigma)
            if jump * step > 0.0 and sharp and _held(window, half, step):
                self._cooldown = size
                at = (pos + half) % size
                return WindowFinding("step", self._times[at], ring[at], step_z, before, after)
        # Spike: the reading two back against the three before and two after it.
        centre = size - 3
        side_before = sum(window[centre - 3 : centre]) / 3.0
        side_after = (window[centre + 1] + window[centre + 2]) / 2.0
        expected = 0.5 * (side_before + side_after)
        spike = window[centre] - expected
        # Var(expected) = sigma^2 (1/12 + 1/8): the statistic's sigma is 1.1 sigma.
        spike_z = spike / (sigma * 1.0954451150103321)
        if (
            self._spike_sigma is not None
            and abs(spike_z) >= self._spike_sigma
            and abs(side_after - side_before) < 0.5 * abs(spike)
        ):
            self._cooldown = 2
            at = (pos + centre) % size
            found = WindowFinding("spike", self._times[at], ring[at], spike_z, expected, expected)
            ring[at] = expected  # so the spike does not later look like a step
            return found
        return None
