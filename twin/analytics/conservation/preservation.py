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

import math

import numpy as np
import numpy.typing as npt

from twin.analytics.conservation.errors import InvalidInput

__all__ = [
    "PI_ACTIVATION_J_PER_MOL",
    "PI_PREFACTOR",
    "TwpiAccumulator",
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
    max_gap_s: float = 3600.0,
) -> float:
    """TWPI (years) of a series; each reading holds until the next (gaps > max_gap_s skipped).

    Shapes: ``ts``, ``t_c``, ``rh_percent`` are ``(n,)`` with ``ts`` increasing.
    """
    if not (ts.shape == t_c.shape == rh_percent.shape) or ts.ndim != 1 or ts.size < 2:
        raise InvalidInput("need three equal 1-D arrays of at least two readings")
    dt = np.diff(ts)
    if np.any(dt <= 0):
        raise InvalidInput("timestamps must increase")
    if np.any(rh_percent <= 0) or np.any(rh_percent > 100):
        raise InvalidInput("RH must be within (0, 100]")
    w = np.where(dt <= max_gap_s, dt, 0.0)
    k = rh_percent[:-1] * PI_PREFACTOR * np.exp(-PI_ACTIVATION_J_PER_MOL / (_R * (t_c[:-1] + _K)))
    total = float(w.sum())
    if total == 0.0:
        raise InvalidInput("no interval within max_gap_s")
    return total / float((w * k).sum())


class TwpiAccumulator:
    """Streaming TWPI: O(1) state (running sums of time and time x rate)."""

    def __init__(self, max_gap_s: float = 3600.0) -> None:
        if max_gap_s <= 0:
            raise InvalidInput("max_gap_s must be > 0")
        self.max_gap_s = max_gap_s
        self._last: tuple[float, float] | None = None  # ts, rate at that reading
        self._sum_dt = 0.0
        self._sum_dt_k = 0.0

    def update(self, ts: float, t_c: float, rh_percent: float) -> None:
        """Add a paired reading; the previous reading's rate holds until ``ts``."""
        pi = preservation_index(t_c, rh_percent)
        if self._last is not None:
            t0, k0 = self._last
            if ts <= t0:
                return
            dt = ts - t0
            if dt <= self.max_gap_s:
                self._sum_dt += dt
                self._sum_dt_k += dt * k0
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
