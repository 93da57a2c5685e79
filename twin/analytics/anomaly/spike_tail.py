"""The spike judged by its own tail: peaks over threshold (``ScoreTuning.spike_tail_risk``).

A record (a decayed maximum) says a spike is the largest lately, not how
surprising it is: on a heavy-tailed stream a new record is ordinary, on a
light-tailed one a spike just past it is rare. Extreme value theory measures
that. As SPOT (Siffer et al., KDD 2017) does, the spike strengths ``|z|``
above a high quantile ``u`` (the peaks; ``q`` = 0.98, SPOT's initial
threshold) are fitted by a generalised Pareto distribution and a strength
``x`` has the tail probability ``(1 - q) * (1 + xi (x - u) / sigma) ** (-1 / xi)``.

Bounded state, no optimiser per reading:

- ``u`` is the P-square streaming quantile (Jain and Chlamtac 1985): five
  markers, no stored sample;
- the last :data:`PEAKS` peaks in a ring; the GPD is fitted only when a spike
  would be reported, by probability-weighted moments (Hosking and Wallis
  1987), closed form. PWM rather than the method of moments because NAB's
  streams' ``|z|`` tails reach ``xi`` 0.6-0.9 (cloud CPU): the method of
  moments needs a finite variance (``xi`` < 1/2), PWM a finite mean
  (``xi`` < 1); Grimshaw's maximum likelihood needs a root search. Where the
  PWM fit fails (``xi`` >= 1), the ring's own share of peaks at least as
  large is the tail.

Every peak enters the ring, reported or not (SPOT leaves its alarms out
because it sets its own threshold; here the tail judges whether a report is
ordinary, and a stream whose spikes recur has a heavy tail).
"""

from __future__ import annotations

import math
from array import array

__all__ = ["MIN_PEAKS", "PEAKS", "PEAK_QUANTILE", "PeakQuantile", "SpikeTail", "gpd_pwm"]

PEAK_QUANTILE = 0.98
"""SPOT's initial threshold: the peaks are the strengths above this quantile."""
PEAKS = 100
"""Peaks kept: at 2 % of readings they span about 5,000 readings, the slowest
record's memory (``1 / (1 - 0.9998)``), so the tail remembers what the records do."""
MIN_PEAKS = 10
"""Fewer peaks above ``u`` than this: no fit, the spike is not judged (as before)."""


class PeakQuantile:
    """The P-square estimate of one quantile of a stream (Jain and Chlamtac 1985)."""

    __slots__ = ("_count", "_desired", "_heights", "_p", "_positions")

    def __init__(self, p: float) -> None:
        self._p = p
        self._count = 0
        self._heights = [0.0] * 5
        self._positions = [0.0, 1.0, 2.0, 3.0, 4.0]
        self._desired = [0.0, 2.0 * p, 4.0 * p, 2.0 + 2.0 * p, 4.0]

    @property
    def value(self) -> float:
        """The estimate (the middle marker); inf before five values."""
        return self._heights[2] if self._count >= 5 else math.inf

    def add(self, x: float) -> None:
        q, n = self._heights, self._positions
        if self._count < 5:
            q[self._count] = x
            self._count += 1
            if self._count == 5:
                q.sort()
            return
        self._count += 1
        if x < q[0]:
            q[0] = x
            k = 0
        elif x >= q[4]:
            q[4] = x
            k = 3
        else:
            k = 0
            while x >= q[k + 1]:
                k += 1
        for i in range(k + 1, 5):
            n[i] += 1.0
        p = self._p
        desired = self._desired
        desired[1] += p / 2.0
        desired[2] += p
        desired[3] += (1.0 + p) / 2.0
        desired[4] += 1.0
        for i in (1, 2, 3):
            d = desired[i] - n[i]
            if (d >= 1.0 and n[i + 1] - n[i] > 1.0) or (d <= -1.0 and n[i - 1] - n[i] < -1.0):
                s = 1.0 if d > 0 else -1.0
                # The parabolic (P-square) step; the linear one if it would leave the order.
                h = q[i] + s / (n[i + 1] - n[i - 1]) * (
                    (n[i] - n[i - 1] + s) * (q[i + 1] - q[i]) / (n[i + 1] - n[i])
                    + (n[i + 1] - n[i] - s) * (q[i] - q[i - 1]) / (n[i] - n[i - 1])
                )
                if not q[i - 1] < h < q[i + 1]:
                    j = i + int(s)
                    h = q[i] + s * (q[j] - q[i]) / (n[j] - n[i])
                q[i] = h
                n[i] += s


def gpd_pwm(excesses: list[float]) -> tuple[float, float] | None:
    """GPD shape ``xi`` and scale ``sigma`` of positive excesses by probability-weighted moments.

    Hosking and Wallis (1987): ``a0 = E[Y]``, ``a1 = E[Y (1 - F(Y))]``;
    ``xi = 2 - a0 / (a0 - 2 a1)``, ``sigma = 2 a0 a1 / (a0 - 2 a1)``.
    None where it does not exist (fewer than two excesses, or all equal).
    """
    y = sorted(excesses)
    m = len(y)
    if m < 2:
        return None
    a0 = math.fsum(y) / m
    a1 = math.fsum(v * (m - 1 - i) for i, v in enumerate(y)) / ((m - 1) * m)
    denominator = a0 - 2.0 * a1
    if denominator <= 0.0 or a1 <= 0.0:
        return None
    return 2.0 - a0 / denominator, 2.0 * a0 * a1 / denominator


class SpikeTail:
    """The stream's spike strengths: their peaks over the 98 % quantile and a GPD tail."""

    __slots__ = ("_next", "_peaks", "_quantile", "_stored")

    def __init__(self) -> None:
        self._quantile = PeakQuantile(PEAK_QUANTILE)
        self._peaks = array("d", bytes(8 * PEAKS))
        self._stored = 0
        self._next = 0

    def probability(self, x: float) -> float:
        """P(strength > ``x``) from the peaks so far; 0 (not judged) with too few peaks."""
        u = self._quantile.value
        peaks = self._peaks[: self._stored]
        excesses = [p - u for p in peaks if p > u]
        if len(excesses) < MIN_PEAKS:
            return 0.0
        share = 1.0 - PEAK_QUANTILE  # the tail above u holds this share by u's definition
        if x <= u:
            return share
        fit = gpd_pwm(excesses)
        if fit is None:  # equal excesses: the peaks' own share at least as large
            return share * sum(1 for e in excesses if e >= x - u) / len(excesses)
        xi, sigma = fit
        e = (x - u) / sigma
        if abs(xi) < 1e-9:
            return share * math.exp(-e)
        base = 1.0 + xi * e
        return share * base ** (-1.0 / xi) if base > 0.0 else 0.0

    def learn(self, x: float) -> None:
        """Add a strength: a peak if above the quantile as it stood, then the quantile."""
        if x > self._quantile.value:
            self._peaks[self._next] = x
            self._next = (self._next + 1) % PEAKS
            self._stored = self._stored + 1 if self._stored < PEAKS else PEAKS
        self._quantile.add(x)
