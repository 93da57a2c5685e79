"""Cumulative light dose per artefact against a CIE 157:2004 annual budget.

CIE 157:2004 "Control of damage to museum objects by optical radiation"
groups materials by responsivity and gives a limiting annual exposure for
each (its table of recommended illuminances and limiting annual exposures):
irresponsive - no limit; low - 600,000 lx h/y (200 lx); medium -
150,000 lx h/y (50 lx); high - 15,000 lx h/y (50 lx).

The dose is the time integral of illuminance, integrated with the trapezoid
rule between consecutive readings. Irregular sampling is handled by the
trapezoid itself; an interval longer than ``max_gap_s`` is not integrated
(the sensor was silent, we do not invent light) and is reported as
``uncovered_s`` so an operator can judge the gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.analytics.conservation.errors import InvalidInput
from twin.venue import SensitivityClass

__all__ = ["CIE157_ANNUAL_LXH", "LightDoseStatus", "LightDoseTracker", "annual_budget_lxh"]

_DAY_S = 86400.0
_YEAR_DAYS = 365

CIE157_ANNUAL_LXH: dict[SensitivityClass, float | None] = {
    SensitivityClass.IRRESPONSIVE: None,
    SensitivityClass.LOW: 600_000.0,
    SensitivityClass.MEDIUM: 150_000.0,
    SensitivityClass.HIGH: 15_000.0,
}


def annual_budget_lxh(sensitivity: SensitivityClass) -> float | None:
    """CIE 157:2004 limiting annual exposure in lx h (None: no limit)."""
    return CIE157_ANNUAL_LXH[sensitivity]


@dataclass(frozen=True, slots=True)
class LightDoseStatus:
    """Dose so far, over the trailing 365 days, and when the budget runs out."""

    ts: float | None
    total_lxh: float
    year_lxh: float
    budget_lxh: float | None
    fraction_used: float | None
    rate_lxh_per_day: float
    exhausted_at: float | None
    uncovered_s: float


class LightDoseTracker:
    """Streaming lux-hour integrator for one artefact.

    State is bounded: the last reading and a ring of 365 daily doses. The
    annual figure is the trailing 365 days (a rolling year, not a calendar
    year). The projection assumes the mean daily dose of the last
    ``rate_window_days`` continues.
    """

    def __init__(
        self,
        sensitivity: SensitivityClass = SensitivityClass.MEDIUM,
        *,
        budget_lxh: float | None = None,
        max_gap_s: float = 3600.0,
        rate_window_days: int = 7,
    ) -> None:
        if max_gap_s <= 0 or not 1 <= rate_window_days <= _YEAR_DAYS:
            raise InvalidInput("max_gap_s must be > 0 and rate_window_days within 1-365")
        if budget_lxh is not None and budget_lxh <= 0:
            raise InvalidInput("budget_lxh must be positive")
        self.sensitivity = sensitivity
        self.budget_lxh = budget_lxh if budget_lxh is not None else annual_budget_lxh(sensitivity)
        self.max_gap_s = max_gap_s
        self.rate_window_days = rate_window_days
        self._day_index = np.full(_YEAR_DAYS, -1, dtype=np.int64)
        self._day_dose = np.zeros(_YEAR_DAYS, dtype=np.float64)
        self._first_ts: float | None = None
        self._last: tuple[float, float] | None = None
        self.total_lxh = 0.0
        self.uncovered_s = 0.0
        self.out_of_order = 0
        self.nan_skipped = 0

    def _add(self, day: int, dose: float) -> None:
        slot = day % _YEAR_DAYS
        if self._day_index[slot] != day:
            self._day_index[slot] = day
            self._day_dose[slot] = 0.0
        self._day_dose[slot] += dose
        self.total_lxh += dose

    def _integrate(self, t0: float, e0: float, t1: float, e1: float) -> None:
        # Split the trapezoid at midnights so each day gets its exact share.
        slope = (e1 - e0) / (t1 - t0)
        a = t0
        ea = e0
        while a < t1:
            day = math.floor(a / _DAY_S)
            b = min(t1, (day + 1) * _DAY_S)
            eb = e0 + slope * (b - t0)
            self._add(day, 0.5 * (ea + eb) * (b - a) / 3600.0)
            a, ea = b, eb

    def update(self, ts: float, lux: float) -> None:
        """Add an illuminance reading (epoch seconds, lx); negatives count as 0."""
        if not (math.isfinite(ts) and math.isfinite(lux)):
            self.nan_skipped += 1  # a logger's blank cell: counted, not fatal
            return
        lux = max(lux, 0.0)  # a small negative offset is sensor noise, not darkness below zero
        if self._last is None:
            self._first_ts = ts
            self._last = (ts, lux)
            return
        t0, e0 = self._last
        if ts <= t0:
            self.out_of_order += 1
            return
        if ts - t0 > self.max_gap_s:
            self.uncovered_s += ts - t0
        else:
            self._integrate(t0, e0, ts, lux)
        self._last = (ts, lux)

    def year_lxh(self, now: float | None = None) -> float:
        """Dose over the trailing 365 days ending at ``now`` (default: last reading)."""
        ref = self._ref(now)
        if ref is None:
            return 0.0
        today = math.floor(ref / _DAY_S)
        live = (self._day_index > today - _YEAR_DAYS) & (self._day_index <= today)
        return float(self._day_dose[live].sum())

    def _ref(self, now: float | None) -> float | None:
        if now is not None:
            return now
        return None if self._last is None else self._last[0]

    def rate_lxh_per_day(self, now: float | None = None) -> float:
        """Mean daily dose over the last ``rate_window_days`` (or since the first reading)."""
        ref = self._ref(now)
        if ref is None or self._first_ts is None:
            return 0.0
        today = math.floor(ref / _DAY_S)
        live = (self._day_index > today - self.rate_window_days) & (self._day_index <= today)
        span_days = min(float(self.rate_window_days), (ref - self._first_ts) / _DAY_S)
        if span_days <= 0.0:
            return 0.0
        return float(self._day_dose[live].sum()) / span_days

    def status(self, now: float | None = None) -> LightDoseStatus:
        """Current dose figures and the projected exhaustion time (epoch seconds)."""
        ref = self._ref(now)
        year = self.year_lxh(now)
        rate = self.rate_lxh_per_day(now)
        fraction: float | None = None
        exhausted: float | None = None
        if self.budget_lxh is not None and ref is not None:
            fraction = year / self.budget_lxh
            remaining = self.budget_lxh - year
            if remaining <= 0.0:
                exhausted = ref
            elif rate > 0.0:
                exhausted = ref + remaining / rate * _DAY_S
        return LightDoseStatus(
            ref, self.total_lxh, year, self.budget_lxh, fraction, rate, exhausted, self.uncovered_s
        )
