"""ASHRAE museum climate classes AA, A1, A2, B, C and D, as a streaming classifier.

Source: ASHRAE Handbook - HVAC Applications (2019), Chapter 24 "Museums,
Galleries, Archives and Libraries", Table 2 "Temperature and Relative
Humidity Specifications for Collections". Per class, the table gives the
short-term fluctuations (plus space gradients) allowed around the set point
and the seasonal adjustments allowed in the set point relative to the annual
average (the historic annual average for permanent collections):

====  ==================  =====================  ==============================
class short-term          seasonal RH            seasonal T
====  ==================  =====================  ==============================
AA    +-5 %RH, +-2 K      no change              +5 K / -5 K
A1    +-5 %RH, +-2 K      +10 / -10 %RH          +5 K / -10 K
A2    +-10 %RH, +-2 K     no change              +5 K / -10 K
B     +-10 %RH, +-5 K     +10 / -10 %RH          +10 K (not above 30 degC) / any
C     RH within 25-75 % year round; T rarely over 25, usually below 30 degC
D     RH reliably below 75 %
====  ==================  =====================  ==============================

How we evaluate it (our reading of the table, documented in docs/conservation.md):

* Readings are grouped into clock hours (mean, min, max of T and RH).
* The seasonal set point is approximated by the moving average of the hourly
  means over ``moving_average_days`` (default 30), kept in a bounded ring of
  hourly means; hours without data are left out of the average.
* The annual average is the given set point, or else the mean of the daily
  means in a ring of the last 365 days.
* Per class, the allowed set point is the annual average plus the seasonal
  offset (moving average minus annual average) clipped to the class's
  seasonal limits; an hour meets the class if every reading in it (its min
  and max) lies within the short-term band around that allowed set point.
  For "no change" classes the set point is therefore the annual average.
* C is checked as 25 <= RH <= 75 and T <= 30 degC for every reading in the
  hour ("rarely over 25" cannot be tested per hour); D as RH < 75.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.analytics.conservation.errors import InvalidInput

__all__ = [
    "ASHRAE_LIMITS",
    "CLASS_ORDER",
    "ClassLimits",
    "ClimateClass",
    "ClimateClassifier",
    "ClimateSetpoint",
    "ClimateStatus",
    "HourSummary",
    "classes_met",
]

_HOUR_S = 3600.0
_DAY_H = 24


class ClimateClass(enum.StrEnum):
    """ASHRAE Chapter 24 climate control classes, strictest first."""

    AA = "AA"
    A1 = "A1"
    A2 = "A2"
    B = "B"
    C = "C"
    D = "D"


CLASS_ORDER: tuple[ClimateClass, ...] = tuple(ClimateClass)


@dataclass(frozen=True, slots=True)
class ClassLimits:
    """Limits of one class; None means no limit of that kind.

    ``*_season_up``/``*_season_down`` bound the set point's offset from the
    annual average; ``rh_short``/``t_short`` bound readings around the set
    point; the ``*_min``/``*_max`` fields are absolute limits on readings.
    """

    rh_short: float | None = None
    t_short: float | None = None
    rh_season_up: float | None = None
    rh_season_down: float | None = None
    t_season_up: float | None = None
    t_season_down: float | None = None
    rh_min: float | None = None
    rh_max: float | None = None
    rh_max_exclusive: bool = False
    t_max: float | None = None


ASHRAE_LIMITS: dict[ClimateClass, ClassLimits] = {
    ClimateClass.AA: ClassLimits(5.0, 2.0, 0.0, 0.0, 5.0, 5.0),
    ClimateClass.A1: ClassLimits(5.0, 2.0, 10.0, 10.0, 5.0, 10.0),
    ClimateClass.A2: ClassLimits(10.0, 2.0, 0.0, 0.0, 5.0, 10.0),
    # B: T may go down "as low as necessary to maintain RH control": no lower limit.
    ClimateClass.B: ClassLimits(10.0, 5.0, 10.0, 10.0, 10.0, None, t_max=30.0),
    ClimateClass.C: ClassLimits(rh_min=25.0, rh_max=75.0, t_max=30.0),
    ClimateClass.D: ClassLimits(rh_max=75.0, rh_max_exclusive=True),
}


@dataclass(frozen=True, slots=True)
class ClimateSetpoint:
    """Annual average (set point) of a space: degC and %RH."""

    t_c: float
    rh_percent: float


@dataclass(frozen=True, slots=True)
class HourSummary:
    """Statistics of the readings of one clock hour."""

    t_mean: float
    t_min: float
    t_max: float
    rh_mean: float
    rh_min: float
    rh_max: float


def _clip(x: float, down: float | None, up: float | None) -> float:
    lo = -math.inf if down is None else -down
    hi = math.inf if up is None else up
    return min(max(x, lo), hi)


def _meets(
    lim: ClassLimits, hour: HourSummary, ma: ClimateSetpoint, annual: ClimateSetpoint
) -> bool:
    if lim.rh_short is not None:
        ref = annual.rh_percent + _clip(
            ma.rh_percent - annual.rh_percent, lim.rh_season_down, lim.rh_season_up
        )
        if hour.rh_min < ref - lim.rh_short or hour.rh_max > ref + lim.rh_short:
            return False
    if lim.t_short is not None:
        ref = annual.t_c + _clip(ma.t_c - annual.t_c, lim.t_season_down, lim.t_season_up)
        if hour.t_min < ref - lim.t_short or hour.t_max > ref + lim.t_short:
            return False
    if lim.rh_min is not None and hour.rh_min < lim.rh_min:
        return False
    if lim.rh_max is not None and (
        hour.rh_max >= lim.rh_max if lim.rh_max_exclusive else hour.rh_max > lim.rh_max
    ):
        return False
    return not (lim.t_max is not None and hour.t_max > lim.t_max)


def classes_met(
    hour: HourSummary, moving_average: ClimateSetpoint, annual: ClimateSetpoint
) -> frozenset[ClimateClass]:
    """Classes whose limits one hour meets, given the moving and annual averages."""
    return frozenset(
        c for c in CLASS_ORDER if _meets(ASHRAE_LIMITS[c], hour, moving_average, annual)
    )


@dataclass(frozen=True, slots=True)
class ClimateStatus:
    """What a loan agreement asks: the class met now and the share of time in target."""

    hour_start_ts: float | None
    class_now: ClimateClass | None
    classes_now: frozenset[ClimateClass]
    target: ClimateClass
    percent_in_target: float | None
    hours_evaluated: int
    moving_average: ClimateSetpoint | None
    annual_average: ClimateSetpoint | None
    # Readings left out: before an hour already judged (feed history sorted,
    # or use conservation.history), and NaN. Shown so a figure is never silently partial.
    late_readings: int = 0
    nan_skipped: int = 0


class _HourRing:
    """Bounded ring of per-hour (or per-day) values keyed by absolute index."""

    def __init__(self, size: int, width: int) -> None:
        self.size = size
        self.index = np.full(size, -1, dtype=np.int64)
        self.values = np.zeros((size, width), dtype=np.float64)

    def put(self, idx: int, row: npt.ArrayLike) -> None:
        slot = idx % self.size
        self.index[slot] = idx
        self.values[slot] = row

    def add(self, idx: int, row: npt.ArrayLike) -> None:
        slot = idx % self.size
        if self.index[slot] != idx:
            self.index[slot] = idx
            self.values[slot] = 0.0
        self.values[slot] += np.asarray(row, dtype=np.float64)

    def live(self, newest: int) -> npt.NDArray[np.bool_]:
        return (self.index > newest - self.size) & (self.index <= newest) & (self.index >= 0)


class ClimateClassifier:
    """Streaming ASHRAE class compliance of one zone.

    Feed paired (T, RH) readings in time order with :meth:`update`; an hour is
    evaluated when a reading of a later hour arrives (or on :meth:`close_hour`).
    State is bounded: ``moving_average_days * 24`` hourly means, 365 daily
    means and ``window_days * 24`` hourly verdicts.
    """

    def __init__(
        self,
        target: ClimateClass = ClimateClass.A1,
        *,
        setpoint: ClimateSetpoint | None = None,
        moving_average_days: int = 30,
        window_days: int = 30,
        min_history_hours: int = 24,
    ) -> None:
        if moving_average_days < 1 or window_days < 1 or min_history_hours < 1:
            raise InvalidInput("window lengths must be at least 1")
        self.target = target
        self.setpoint = setpoint
        self.min_history_hours = min_history_hours
        self._ma = _HourRing(moving_average_days * _DAY_H, 2)  # T mean, RH mean
        self._days = _HourRing(365, 3)  # sum T, sum RH, count (of hourly means)
        self._verdicts = _HourRing(window_days * _DAY_H, len(CLASS_ORDER))
        self._hour: int | None = None
        self._acc = [0.0, 0.0, 0, math.inf, -math.inf, math.inf, -math.inf]
        self._last: tuple[int, HourSummary, frozenset[ClimateClass] | None] | None = None
        self._last_ma: ClimateSetpoint | None = None
        self._last_annual: ClimateSetpoint | None = None
        self.late_readings = 0
        self.nan_skipped = 0

    def update(self, ts: float, t_c: float, rh_percent: float) -> None:
        """Add one paired reading (epoch seconds, degC, %RH)."""
        if not (math.isfinite(ts) and math.isfinite(t_c) and math.isfinite(rh_percent)):
            self.nan_skipped += 1  # a logger's blank cell: counted, not fatal
            return
        if not 0.0 <= rh_percent <= 100.0:
            raise InvalidInput(f"RH must be within 0-100 %, got {rh_percent}")
        hour = math.floor(ts / _HOUR_S)
        if self._hour is not None and hour < self._hour:
            # The hour was already judged; re-judging would need unbounded state.
            self.late_readings += 1
            return
        if self._hour is not None and hour > self._hour:
            self.close_hour()
        self._hour = hour
        a = self._acc
        a[0] += t_c
        a[1] += rh_percent
        a[2] += 1
        a[3] = min(a[3], t_c)
        a[4] = max(a[4], t_c)
        a[5] = min(a[5], rh_percent)
        a[6] = max(a[6], rh_percent)

    def close_hour(self) -> None:
        """Judge the open hour now (normally done by the next hour's first reading)."""
        if self._hour is None or self._acc[2] == 0:
            return
        a = self._acc
        n = float(a[2])
        hour = self._hour
        summary = HourSummary(a[0] / n, a[3], a[4], a[1] / n, a[5], a[6])
        self._acc = [0.0, 0.0, 0, math.inf, -math.inf, math.inf, -math.inf]
        self._ma.put(hour, (summary.t_mean, summary.rh_mean))
        self._days.add(hour // _DAY_H, (summary.t_mean, summary.rh_mean, 1.0))
        live = self._ma.live(hour)
        verdict: frozenset[ClimateClass] | None = None
        if int(live.sum()) >= self.min_history_hours:
            means = self._ma.values[live].mean(axis=0)
            ma = ClimateSetpoint(float(means[0]), float(means[1]))
            annual = self.setpoint or self._annual(hour // _DAY_H)
            verdict = classes_met(summary, ma, annual)
            self._verdicts.put(hour, [c in verdict for c in CLASS_ORDER])
            self._last_ma, self._last_annual = ma, annual
        self._last = (hour, summary, verdict)

    def _annual(self, day: int) -> ClimateSetpoint:
        live = self._days.live(day)
        sums = self._days.values[live]
        daily = sums[:, :2] / sums[:, 2:3]
        m = daily.mean(axis=0)
        return ClimateSetpoint(float(m[0]), float(m[1]))

    def percent_of_time(self, cls: ClimateClass) -> float | None:
        """Share (%) of evaluated hours in the window that met ``cls``."""
        if self._last is None:
            return None
        live = self._verdicts.live(self._last[0])
        n = int(live.sum())
        if n == 0:
            return None
        col = CLASS_ORDER.index(cls)
        return 100.0 * float(self._verdicts.values[live, col].sum()) / n

    def status(self) -> ClimateStatus:
        """The latest judged hour and the window's compliance with the target class."""
        if self._last is None:
            return ClimateStatus(None, None, frozenset(), self.target, None, 0, None, None)
        hour, _summary, verdict = self._last
        met = verdict or frozenset()
        best = next((c for c in CLASS_ORDER if c in met), None)
        return ClimateStatus(
            hour_start_ts=hour * _HOUR_S,
            class_now=best,
            classes_now=met,
            target=self.target,
            percent_in_target=self.percent_of_time(self.target),
            hours_evaluated=int(self._verdicts.live(hour).sum()),
            moving_average=self._last_ma,
            annual_average=self._last_annual,
            late_readings=self.late_readings,
            nan_skipped=self.nan_skipped,
        )
