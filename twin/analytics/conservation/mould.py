"""Mould growth index on wood: the VTT model of Hukka & Viitanen (1999).

Hukka, A. and Viitanen, H. (1999) "A mathematical model of mould growth on
wooden material", Wood Science and Technology 33, 475-485. The mould index
M runs from 0 (no growth) through 1 (microscopic), 3 (visible) to 6 (heavy,
~100 % cover). With T in degC, RH in %, W the wood species (0 pine, 1
spruce) and SQ the surface quality (0 resawn kiln-dried, 1 original
kiln-dried):

* growth needs RH >= RH_crit, where RH_crit = -0.00267 T^3 + 0.160 T^2
  - 3.13 T + 100 for T <= 20 degC and 80 % above (their eq. 2);
* dM/dt = k1 k2 / (7 exp(-0.68 ln T - 13.9 ln RH + 0.14 W - 0.33 SQ + 66.02))
  per day (eq. 1);
* k1 = 1 for M < 1, else 2 / (t_v / t_m - 1), with
  t_m = exp(-0.68 ln T - 13.9 ln RH + 0.14 W - 0.33 SQ + 66.02) and
  t_v = exp(-0.74 ln T - 12.72 ln RH + 0.06 W + 61.50), both in weeks, the
  times to reach M = 1 and M = 3 (eq. 3);
* k2 = max(1 - exp(2.3 (M - M_max)), 0), M_max = 1 + 7 x - 2 x^2,
  x = (RH_crit - RH) / (RH_crit - 100) (eqs. 4-5);
* below RH_crit (or outside 0 < T < 50 degC, the range we let it grow in)
  M declines by 0.00133 /h for the first 6 h of a dry period, not at all
  from 6 to 24 h, and by 0.000667 /h after 24 h (eq. 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.analytics.conservation.errors import InvalidInput

__all__ = ["MouldIndexModel", "MouldState", "critical_rh", "growth_rate_per_day"]

_MAX_STEP_H = 1.0  # integration sub-step: M changes by < 0.1 per hour at worst
_GROWTH_T_MIN = 0.0
_GROWTH_T_MAX = 50.0


def critical_rh(t_c: float) -> float:
    """RH (%) below which no growth starts at ``t_c`` (Hukka & Viitanen 1999, eq. 2)."""
    if t_c > 20.0:
        return 80.0
    return -0.00267 * t_c**3 + 0.160 * t_c**2 - 3.13 * t_c + 100.0


def _t_m_weeks(t_c: float, rh: float, w: int, sq: int) -> float:
    return math.exp(-0.68 * math.log(t_c) - 13.9 * math.log(rh) + 0.14 * w - 0.33 * sq + 66.02)


def _t_v_weeks(t_c: float, rh: float, w: int) -> float:
    return math.exp(-0.74 * math.log(t_c) - 12.72 * math.log(rh) + 0.06 * w + 61.50)


def growth_rate_per_day(m: float, t_c: float, rh_percent: float, w: int = 0, sq: int = 0) -> float:
    """dM/dt in 1/day under growth conditions; 0 when conditions do not allow growth."""
    rh_crit = critical_rh(t_c)
    if not (_GROWTH_T_MIN < t_c < _GROWTH_T_MAX) or rh_percent < rh_crit:
        return 0.0
    t_m = _t_m_weeks(t_c, rh_percent, w, sq)
    if m < 1.0:
        k1 = 1.0
    else:
        ratio = _t_v_weeks(t_c, rh_percent, w) / t_m
        k1 = 2.0 / (ratio - 1.0) if ratio > 1.0 else 1.0
    x = (rh_crit - rh_percent) / (rh_crit - 100.0) if rh_crit < 100.0 else 1.0
    m_max = 1.0 + 7.0 * x - 2.0 * x * x
    k2 = max(1.0 - math.exp(2.3 * (m - m_max)), 0.0)
    return k1 * k2 / (7.0 * t_m)


@dataclass(frozen=True, slots=True)
class MouldState:
    """Mould index and the length of the current dry period (hours, None when growing)."""

    ts: float | None
    index: float
    dry_hours: float | None


class MouldIndexModel:
    """Streaming VTT mould index for one surface; O(1) state.

    Each reading's T and RH hold until the next reading (sample and hold);
    intervals longer than ``max_gap_s`` are not integrated and are counted in
    ``uncovered_s``.
    """

    def __init__(
        self, *, species: int = 0, surface_quality: int = 0, max_gap_s: float = 6 * 3600.0
    ) -> None:
        if species not in (0, 1) or surface_quality not in (0, 1):
            raise InvalidInput("species (W) and surface_quality (SQ) are 0 or 1")
        self.w = species
        self.sq = surface_quality
        self.max_gap_s = max_gap_s
        self.index = 0.0
        self.uncovered_s = 0.0
        self._last: tuple[float, float, float] | None = None
        self._dry_h: float | None = None

    def _step(self, hours: float, t_c: float, rh: float) -> None:
        grows = _GROWTH_T_MIN < t_c < _GROWTH_T_MAX and rh >= critical_rh(t_c)
        if grows:
            self._dry_h = None
            left = hours
            while left > 0.0:
                h = min(left, _MAX_STEP_H)
                rate = growth_rate_per_day(self.index, t_c, rh, self.w, self.sq)
                self.index = min(6.0, self.index + rate * h / 24.0)
                left -= h
            return
        d0 = 0.0 if self._dry_h is None else self._dry_h
        d1 = d0 + hours
        # Piecewise-constant decline: overlap of [d0, d1] with each phase.
        fast = max(0.0, min(d1, 6.0) - d0)
        slow = max(0.0, d1 - max(d0, 24.0))
        self.index = max(0.0, self.index - 0.00133 * fast - 0.000667 * slow)
        self._dry_h = d1

    def update(self, ts: float, t_c: float, rh_percent: float) -> None:
        """Add a paired reading (epoch seconds, degC, %RH)."""
        if not (math.isfinite(ts) and math.isfinite(t_c)) or not 0.0 < rh_percent <= 100.0:
            raise InvalidInput("need finite readings and 0 < RH <= 100")
        if self._last is not None:
            t0, tc0, rh0 = self._last
            if ts <= t0:
                return
            dt = ts - t0
            if dt > self.max_gap_s:
                self.uncovered_s += dt
            else:
                self._step(dt / 3600.0, tc0, rh0)
        self._last = (ts, t_c, rh_percent)

    def state(self) -> MouldState:
        return MouldState(None if self._last is None else self._last[0], self.index, self._dry_h)
