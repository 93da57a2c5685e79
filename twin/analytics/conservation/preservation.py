"""Preservation index (PI) and time-weighted preservation index (TWPI).

The PI is the expected lifetime, in years, of a chemically unstable reference
material (cellulose acetate film) held at constant T and RH. It was developed
by Sebera (1994, "Isoperms: An Environmental Management Tool", Commission on
Preservation and Access) and Reilly, Nishimura & Zinn (1995, "New Tools for
Preservation: Assessing Long-Term Environmental Effects on Library and
Archives Collections", CPA). We use the closed form given by Padfield
(2004, "The Preservation Index and the Time Weighted Preservation Index",
conservationphysics.org/twpi): a first-order Arrhenius rate proportional to RH,

    k = RH[%] * 5.9e12 * exp(-90300 / (8.314 * T[K]))   (per year)
    PI = 1 / k

The TWPI (Reilly et al. 1995) is the lifetime under a varying climate: the
rates add over time, so it is the time-weighted harmonic mean of PI,
``TWPI = sum(dt) / sum(dt / PI)``.
"""

from __future__ import annotations

import collections
import math
import statistics

import numpy as np
import numpy.typing as npt

from twin.analytics.conservation.errors import InvalidInput

__all__ = [
    "PI_ACTIVATION_J_PER_MOL",
    "PI_PREFACTOR",
    "TwpiAccumulator",
    "gap_limit_s",
    "preservation_index",
    "twpi",
]

PI_ACTIVATION_J_PER_MOL = 90_300.0
PI_PREFACTOR = 5.9e12
_R = 8.314
_K = 273.15


def _rate(t_c: float, rh_percent: float) -> float:
    return rh_percent * PI_PREFACTOR * math.exp(-PI_ACTIVATION_J_PER_MOL / (_R * (t_c + _K)))


def preservation_index(t_c: float, rh_percent: float) -> float:
    """PI in years at constant ``t_c`` (degC) and ``rh_percent`` (Padfield 2004 form)."""
    if not (math.isfinite(t_c) and 0.0 < rh_percent <= 100.0) or t_c <= -_K:
        raise InvalidInput(f"need finite T and 0 < RH <= 100, got T={t_c}, RH={rh_percent}")
    return 1.0 / _rate(t_c, rh_percent)


def twpi(
    ts: npt.NDArray[np.float64],
    t_c: npt.NDArray[np.float64],
    rh_percent: npt.NDArray[np.float64],
    max_gap_s: float | None = None,
) -> float:
    """TWPI (years) of a series; each reading holds until the next.

    Shapes: ``ts``, ``t_c``, ``rh_percent`` are ``(n,)``, in any order (sorted
    here; rows with NaN and repeated timestamps are left out). Intervals longer
    than ``max_gap_s`` are gaps, not held; by default the limit adapts to the
    logging interval (:func:`gap_limit_s`). For the gaps and the coverage use
    :func:`twin.analytics.conservation.history.twpi_history`.
    """
    if not (ts.shape == t_c.shape == rh_percent.shape) or ts.ndim != 1:
        raise InvalidInput("need three equal 1-D arrays")
    ok = np.isfinite(ts) & np.isfinite(t_c) & np.isfinite(rh_percent)
    order = np.argsort(ts[ok], kind="stable")
    ts, t_c, rh_percent = ts[ok][order], t_c[ok][order], rh_percent[ok][order]
    keep = np.concatenate(([True], np.diff(ts) > 0)) if ts.size else ts.astype(bool)
    ts, t_c, rh_percent = ts[keep], t_c[keep], rh_percent[keep]
    if ts.size < 2:
        raise InvalidInput("need at least two readings at different times")
    if np.any(rh_percent <= 0) or np.any(rh_percent > 100):
        raise InvalidInput("RH must be within (0, 100]")
    dt = np.diff(ts)
    limit = gap_limit_s(dt) if max_gap_s is None else max_gap_s
    w = np.where(dt <= limit, dt, 0.0)
    k = rh_percent[:-1] * PI_PREFACTOR * np.exp(-PI_ACTIVATION_J_PER_MOL / (_R * (t_c[:-1] + _K)))
    total = float(w.sum())
    if total == 0.0:
        raise InvalidInput("no interval within max_gap_s")
    return total / float((w * k).sum())


def gap_limit_s(dt: npt.NDArray[np.float64]) -> float:
    """Longest interval a reading is held over: three typical intervals, at least an hour.

    ``dt`` is ``(n,)`` positive intervals. "Typical" is the median, so a logger
    at 15 min and one at 2.5 to 5 h are both judged by their own rhythm and a
    few outages do not move the limit.
    """
    if dt.size == 0:
        return _MIN_GAP_S
    return max(_GAP_FACTOR * float(np.median(dt)), _MIN_GAP_S)


_GAP_FACTOR = 3.0
_MIN_GAP_S = 3600.0
_RECENT = 15


class TwpiAccumulator:
    """Streaming TWPI: O(1) state (running sums of time and time x rate).

    Readings must come in time order; a reading at or before the previous one
    is counted in :attr:`late_readings` and left out (use
    :func:`twin.analytics.conservation.history.twpi_history` for history in
    any order). NaN readings are counted in :attr:`nan_skipped`. With
    ``max_gap_s`` None the gap limit adapts to the recent logging interval.
    """

    def __init__(self, max_gap_s: float | None = None) -> None:
        if max_gap_s is not None and max_gap_s <= 0:
            raise InvalidInput("max_gap_s must be > 0")
        self.max_gap_s = max_gap_s
        self._last: tuple[float, float] | None = None  # ts, rate at that reading
        self._first_ts: float | None = None
        self._recent: collections.deque[float] = collections.deque(maxlen=_RECENT)
        self._sum_dt = 0.0
        self._sum_dt_k = 0.0
        self.gap_s = 0.0
        self.gaps = 0
        self.late_readings = 0
        self.nan_skipped = 0

    def update(self, ts: float, t_c: float, rh_percent: float) -> None:
        """Add a paired reading; the previous reading's rate holds until ``ts``."""
        if not (math.isfinite(ts) and math.isfinite(t_c) and math.isfinite(rh_percent)):
            self.nan_skipped += 1
            return
        pi = preservation_index(t_c, rh_percent)
        if self._last is not None:
            t0, k0 = self._last
            if ts <= t0:
                self.late_readings += 1
                return
            dt = ts - t0
            self._recent.append(dt)
            limit = self.max_gap_s
            if limit is None:
                limit = max(_GAP_FACTOR * statistics.median(self._recent), _MIN_GAP_S)
            if dt <= limit:
                self._sum_dt += dt
                self._sum_dt_k += dt * k0
            else:
                self.gaps += 1
                self.gap_s += dt
        else:
            self._first_ts = ts
        self._last = (ts, 1.0 / pi)

    @property
    def value(self) -> float | None:
        """TWPI in years, or None before two readings."""
        if self._sum_dt == 0.0:
            return None
        return self._sum_dt / self._sum_dt_k

    @property
    def hours(self) -> float:
        """Hours of data the TWPI covers."""
        return self._sum_dt / 3600.0

    @property
    def completeness(self) -> float | None:
        """Share (0-1) of the time since the first reading that the TWPI covers."""
        if self._last is None or self._first_ts is None or self._last[0] <= self._first_ts:
            return None
        return self._sum_dt / (self._last[0] - self._first_ts)
