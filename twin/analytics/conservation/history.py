"""Conservation figures over a stored or imported history, in any order and interval.

The streaming calculators assume readings arrive in time order, as live data
does. An archive does not: exports are joined out of order, overlap, carry
blank cells and log every 2.5 to 5 hours. These functions sort, drop NaN rows
and repeated timestamps (counting both), judge gaps by the series' own
interval (:func:`~twin.analytics.conservation.preservation.gap_limit_s`), run
the same calculators, and report how complete the data was. Calendar-period
figures (light dose per calendar year, as loan agreements ask) use the
venue's time zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from twin.analytics.conservation.climate_class import (
    CLASS_ORDER,
    ClimateClass,
    ClimateClassifier,
    ClimateSetpoint,
)
from twin.analytics.conservation.errors import InvalidInput
from twin.analytics.conservation.preservation import gap_limit_s, twpi

__all__ = [
    "ClimateHistory",
    "Completeness",
    "LightDoseHistory",
    "TwpiHistory",
    "climate_history",
    "completeness",
    "light_dose_history",
    "twpi_history",
]

Array = npt.NDArray[np.float64]
_DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class Completeness:
    """How much of the span the data covers, and what was left out."""

    first_ts: float | None
    last_ts: float | None
    rows: int  # rows given
    used: int  # rows used after dropping NaN and repeated timestamps
    nan_skipped: int
    duplicates: int
    out_of_order: int  # rows that came before an earlier row's time in the input
    typical_interval_s: float | None
    gap_limit_s: float | None
    gaps: int
    gap_s: float
    covered_percent: float | None  # share of [first, last] within gap_limit of a reading


@dataclass(frozen=True, slots=True)
class _Clean:
    ts: Array
    cols: tuple[Array, ...]
    completeness: Completeness


def _clean(ts: Array, *cols: Array, max_gap_s: float | None = None) -> _Clean:
    ts = np.asarray(ts, dtype=np.float64)
    arrays = tuple(np.asarray(c, dtype=np.float64) for c in cols)
    if ts.ndim != 1 or any(c.shape != ts.shape for c in arrays):
        raise InvalidInput("need equal 1-D arrays")
    n = int(ts.size)
    out_of_order = int(np.sum(ts[1:] < np.maximum.accumulate(ts)[:-1])) if n > 1 else 0
    ok = np.isfinite(ts)
    for c in arrays:
        ok &= np.isfinite(c)
    nan = n - int(ok.sum())
    order = np.argsort(ts[ok], kind="stable")
    ts = ts[ok][order]
    arrays = tuple(c[ok][order] for c in arrays)
    keep = np.concatenate(([True], np.diff(ts) > 0)) if ts.size else np.zeros(0, dtype=bool)
    dup = int(ts.size - keep.sum())
    ts = ts[keep]
    arrays = tuple(c[keep] for c in arrays)
    dt = np.diff(ts)
    if ts.size < 2:
        comp = Completeness(
            float(ts[0]) if ts.size else None,
            float(ts[-1]) if ts.size else None,
            n, int(ts.size), nan, dup, out_of_order, None, None, 0, 0.0, None,
        )  # fmt: skip
        return _Clean(ts, arrays, comp)
    limit = gap_limit_s(dt) if max_gap_s is None else max_gap_s
    gap = dt > limit
    span = float(ts[-1] - ts[0])
    covered = float(dt[~gap].sum())
    comp = Completeness(
        first_ts=float(ts[0]),
        last_ts=float(ts[-1]),
        rows=n,
        used=int(ts.size),
        nan_skipped=nan,
        duplicates=dup,
        out_of_order=out_of_order,
        typical_interval_s=float(np.median(dt)),
        gap_limit_s=limit,
        gaps=int(gap.sum()),
        gap_s=float(dt[gap].sum()),
        covered_percent=100.0 * covered / span if span > 0 else None,
    )
    return _Clean(ts, arrays, comp)


def completeness(ts: Array, values: Array, *, max_gap_s: float | None = None) -> Completeness:
    """Coverage of one series (any order; NaN and repeated times counted)."""
    return _clean(ts, values, max_gap_s=max_gap_s).completeness


@dataclass(frozen=True, slots=True)
class TwpiHistory:
    years: float | None  # None when fewer than two usable readings
    completeness: Completeness


def twpi_history(
    ts: Array, t_c: Array, rh_percent: Array, *, max_gap_s: float | None = None
) -> TwpiHistory:
    """TWPI of a history in any order, with its coverage; never raises for gaps."""
    c = _clean(ts, t_c, rh_percent, max_gap_s=max_gap_s)
    comp = c.completeness
    if comp.used < 2 or comp.gap_limit_s is None:
        return TwpiHistory(None, comp)
    try:
        years = twpi(c.ts, c.cols[0], c.cols[1], max_gap_s=comp.gap_limit_s)
    except InvalidInput:
        return TwpiHistory(None, comp)
    return TwpiHistory(years, comp)


@dataclass(frozen=True, slots=True)
class ClimateHistory:
    target: ClimateClass
    percent_in_target: float | None
    percent_by_class: dict[ClimateClass, float]
    hours_evaluated: int
    mean: ClimateSetpoint | None  # mean of daily means over the history
    completeness: Completeness


def climate_history(
    ts: Array,
    t_c: Array,
    rh_percent: Array,
    *,
    target: ClimateClass = ClimateClass.A1,
    setpoint: ClimateSetpoint | None = None,
    moving_average_days: int = 30,
    min_history_hours: int = 24,
) -> ClimateHistory:
    """ASHRAE class compliance over a whole history (any order), every hour judged."""
    c = _clean(ts, t_c, rh_percent)
    comp = c.completeness
    if comp.used == 0 or comp.first_ts is None or comp.last_ts is None:
        return ClimateHistory(target, None, {}, 0, None, comp)
    span_days = math.ceil((comp.last_ts - comp.first_ts) / _DAY_S) + 2
    clf = ClimateClassifier(
        target,
        setpoint=setpoint,
        moving_average_days=moving_average_days,
        window_days=span_days,
        min_history_hours=min_history_hours,
    )
    for a, b, r in zip(c.ts.tolist(), c.cols[0].tolist(), c.cols[1].tolist(), strict=True):
        if 0.0 <= r <= 100.0:
            clf.update(a, b, r)
    clf.close_hour()
    status = clf.status()
    by_class = {}
    for cls in CLASS_ORDER:
        p = clf.percent_of_time(cls)
        if p is not None:
            by_class[cls] = p
    days = np.floor(c.ts / _DAY_S)
    uniq, inv = np.unique(days, return_inverse=True)
    counts = np.bincount(inv).astype(np.float64)
    t_daily = np.bincount(inv, weights=c.cols[0]) / counts
    rh_daily = np.bincount(inv, weights=c.cols[1]) / counts
    mean = ClimateSetpoint(float(t_daily.mean()), float(rh_daily.mean())) if uniq.size else None
    return ClimateHistory(
        target, status.percent_in_target, by_class, status.hours_evaluated, mean, comp
    )


@dataclass(frozen=True, slots=True)
class LightDoseHistory:
    total_lxh: float
    by_year_lxh: dict[int, float]  # calendar year (venue time zone) -> lux hours
    completeness: Completeness


def light_dose_history(
    ts: Array, lux: Array, *, tz: str = "UTC", max_gap_s: float | None = None
) -> LightDoseHistory:
    """Lux hours (trapezoids between readings, gaps left out), in total and per calendar year."""
    c = _clean(ts, lux, max_gap_s=max_gap_s)
    comp = c.completeness
    if comp.used < 2 or comp.gap_limit_s is None:
        return LightDoseHistory(0.0, {}, comp)
    t = c.ts
    e = np.maximum(c.cols[0], 0.0)
    dt = np.diff(t)
    held = dt <= comp.gap_limit_s
    seg = np.where(held, 0.5 * (e[:-1] + e[1:]) * dt / 3600.0, 0.0)
    cum = np.concatenate(([0.0], np.cumsum(seg)))
    zone = ZoneInfo(tz)

    def dose_until(x: float) -> float:
        # Cumulative dose at time x, exact inside a (linearly varying) interval.
        i = int(np.searchsorted(t, x, side="right")) - 1
        if i < 0:
            return 0.0
        if i >= t.size - 1 or not held[i]:
            return float(cum[min(i, t.size - 1)] if i < t.size - 1 else cum[-1])
        frac = x - t[i]
        slope = (e[i + 1] - e[i]) / dt[i]
        return float(cum[i] + (e[i] + 0.5 * slope * frac) * frac / 3600.0)

    first = datetime.fromtimestamp(t[0], zone).year
    last = datetime.fromtimestamp(t[-1], zone).year
    by_year: dict[int, float] = {}
    for year in range(first, last + 1):
        start = datetime(year, 1, 1, tzinfo=zone).timestamp()
        end = datetime(year + 1, 1, 1, tzinfo=zone).timestamp()
        by_year[year] = dose_until(end) - dose_until(start)
    return LightDoseHistory(float(cum[-1]), by_year, comp)
