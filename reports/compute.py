"""The report's figures, computed from downsampled history (pure: arrays in, numbers out).

Inputs are per-sensor series of bucket means (``ts`` the bucket start, sorted,
one value per non-empty bucket) and counts. Each figure uses the twin's own
calculators (``twin.analytics.conservation``, ``twin.analytics.crowd``) so the
report says what the live twin says; the simplifications a report needs are
stated where they are made (docs/reports.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from twin.alarms import Alarm
from twin.analytics.conservation import (
    ASHRAE_LIMITS,
    CLASS_ORDER,
    ClimateClass,
    ClimateClassifier,
    MouldIndexModel,
    annual_budget_lxh,
    critical_rh,
    preservation_index,
    twpi,
)
from twin.analytics.crowd.density import LevelOfService, level_of_service
from twin.venue import Artefact, Zone

__all__ = [
    "AlarmRow",
    "ArtefactLight",
    "Series",
    "ZoneClimateFigures",
    "ZoneCrowdFigures",
    "alarm_rows",
    "artefact_light",
    "completeness",
    "paired",
    "zone_climate",
    "zone_crowd",
]

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Series:
    """Bucket means of one sensor: ``ts`` (n,) bucket starts, ``value`` (n,), ``count`` (n,)."""

    ts: F64
    value: F64
    count: npt.NDArray[np.int64]
    width_s: float

    @staticmethod
    def empty(width_s: float) -> Series:
        return Series(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64), width_s)


def completeness(
    series: Series, interval_s: float | None, start: float, end: float
) -> float | None:
    """Share (%) of the readings expected at ``interval_s`` over [start, end) that arrived."""
    if interval_s is None or interval_s <= 0 or end <= start:
        return None
    expected = (end - start) / interval_s
    return min(100.0, 100.0 * float(series.count.sum()) / expected)


def paired(t: Series, rh: Series) -> tuple[F64, F64, F64]:
    """Buckets where both T and RH have a mean: ``(ts, t, rh)``, each (m,)."""
    common, it, ir = np.intersect1d(t.ts, rh.ts, assume_unique=True, return_indices=True)
    return common, t.value[it], rh.value[ir]


@dataclass(frozen=True, slots=True)
class ZoneClimateFigures:
    zone: str
    target: ClimateClass
    ts: F64
    t: F64
    rh: F64
    # The target class's allowed band around the 30-day moving average (per bucket).
    t_band: tuple[F64, F64]
    rh_band: tuple[F64, F64]
    percent_in_class: dict[ClimateClass, float | None]
    hours_evaluated: int
    t_range_24h_max: float | None  # largest max-min within any calendar day
    rh_range_24h_max: float | None
    t_mean: float | None
    rh_mean: float | None
    pi_years: float | None  # preservation index at the period's mean T and RH
    twpi_years: float | None
    mould_index_max: float
    hours_above_critical_rh: float


def _moving_average(ts: F64, x: F64, days: float) -> F64:
    """Mean of the values within the ``days`` before each point (inclusive)."""
    if x.size == 0:
        return x
    csum = np.concatenate(([0.0], np.cumsum(x)))
    lo = np.searchsorted(ts, ts - days * 86400.0, side="left")
    hi = np.arange(1, x.size + 1)
    out: F64 = (csum[hi] - csum[lo]) / (hi - lo)
    return out


def _daily_range(ts: F64, x: F64, tz_offset_s: float) -> float | None:
    if x.size == 0:
        return None
    day = np.floor((ts + tz_offset_s) / 86400.0)
    edges = np.flatnonzero(np.diff(day)) + 1
    starts = np.concatenate(([0], edges))
    ranges = np.maximum.reduceat(x, starts) - np.minimum.reduceat(x, starts)
    return float(ranges.max())


def zone_climate(
    zone: str,
    t: Series,
    rh: Series,
    *,
    target: ClimateClass = ClimateClass.A1,
    tz_offset_s: float = 0.0,
    history: tuple[Series, Series] | None = None,
) -> ZoneClimateFigures:
    """ASHRAE class compliance, fluctuations, PI/TWPI and mould risk of one zone.

    ``history`` (T and RH before the period, up to 30 days) warms up the
    classifier's moving average, so the period's first day is judged too.
    """
    ts, tv, rv = paired(t, rh)
    days = 31 + math.ceil((float(ts[-1] - ts[0]) if ts.size else 0.0) / 86400.0)
    classifier = ClimateClassifier(target, moving_average_days=30, window_days=days)
    if history is not None:
        hts, ht, hr = paired(*history)
        for a, b, c in zip(hts.tolist(), ht.tolist(), hr.tolist(), strict=True):
            classifier.update(a, b, c)
    verdicts: list[frozenset[ClimateClass]] = []
    judged = classifier.status().hours_evaluated

    def collect() -> None:
        # An hour was judged when the evaluated count grew: keep its classes.
        nonlocal judged
        status = classifier.status()
        if status.hours_evaluated > judged:
            verdicts.append(status.classes_now)
        judged = status.hours_evaluated

    mould = MouldIndexModel()
    mould_max = 0.0
    above_h = 0.0
    last_hour = math.floor(float(ts[0]) / 3600.0) if ts.size else 0
    for i, (a, b, c) in enumerate(zip(ts.tolist(), tv.tolist(), rv.tolist(), strict=True)):
        hour = math.floor(a / 3600.0)
        classifier.update(a, b, c)
        if hour != last_hour:
            collect()
            last_hour = hour
        if 0.0 < c <= 100.0:
            mould.update(a, b, c)
            mould_max = max(mould_max, mould.index)
        if i + 1 < ts.size and c >= critical_rh(b):
            above_h += min(float(ts[i + 1] - a), t.width_s) / 3600.0
    classifier.close_hour()
    collect()
    hours = len(verdicts)
    percent: dict[ClimateClass, float | None] = {
        cls: (100.0 * sum(cls in v for v in verdicts) / hours if hours else None)
        for cls in CLASS_ORDER
    }
    limits = ASHRAE_LIMITS[target]
    if history is not None:
        hts, ht, hr = paired(*history)
        all_ts, all_t, all_rh = (np.concatenate(p) for p in ((hts, ts), (ht, tv), (hr, rv)))
        ma_t = _moving_average(all_ts, all_t, 30)[hts.size :]
        ma_rh = _moving_average(all_ts, all_rh, 30)[hts.size :]
    else:
        ma_t, ma_rh = _moving_average(ts, tv, 30), _moving_average(ts, rv, 30)
    t_short = limits.t_short if limits.t_short is not None else math.inf
    rh_short = limits.rh_short if limits.rh_short is not None else math.inf
    pi = twpi_v = None
    if ts.size >= 2:
        pi = preservation_index(float(tv.mean()), float(rv.mean()))
        valid = (rv > 0) & (rv <= 100)
        if valid.sum() >= 2:
            twpi_v = twpi(ts[valid], tv[valid], rv[valid], max_gap_s=max(3600.0, t.width_s * 2))
    return ZoneClimateFigures(
        zone=zone,
        target=target,
        ts=ts,
        t=tv,
        rh=rv,
        t_band=(ma_t - t_short, ma_t + t_short),
        rh_band=(ma_rh - rh_short, ma_rh + rh_short),
        percent_in_class=percent,
        hours_evaluated=hours,
        t_range_24h_max=_daily_range(ts, tv, tz_offset_s),
        rh_range_24h_max=_daily_range(ts, rv, tz_offset_s),
        t_mean=float(tv.mean()) if tv.size else None,
        rh_mean=float(rv.mean()) if rv.size else None,
        pi_years=pi,
        twpi_years=twpi_v,
        mould_index_max=mould_max,
        hours_above_critical_rh=above_h,
    )


@dataclass(frozen=True, slots=True)
class ArtefactLight:
    artefact: str
    name: str
    sensitivity: str
    ts: F64
    cumulative_lxh: F64  # (n,) cumulative exposure at the end of each bucket
    total_lxh: float
    budget_annual_lxh: float | None
    budget_period_lxh: float | None  # the annual budget pro rata for the period

    @property
    def budget_used_pct(self) -> float | None:
        if not self.budget_period_lxh:
            return None
        return 100.0 * self.total_lxh / self.budget_period_lxh


def artefact_light(artefact: Artefact, lux: Series, start: float, end: float) -> ArtefactLight:
    """Cumulative light exposure (lx h): each bucket's mean illuminance times its width."""
    hours = lux.width_s / 3600.0
    per_bucket = np.clip(lux.value, 0.0, None) * hours
    cumulative = np.cumsum(per_bucket)
    budget = annual_budget_lxh(artefact.light_sensitivity)
    period = None if budget is None else budget * (end - start) / (365.0 * 86400.0)
    return ArtefactLight(
        artefact.id,
        artefact.name,
        artefact.light_sensitivity.value,
        lux.ts + lux.width_s,
        cumulative,
        float(cumulative[-1]) if cumulative.size else 0.0,
        budget,
        period,
    )


@dataclass(frozen=True, slots=True)
class ZoneCrowdFigures:
    zone: str
    visitors: int  # entries into the zone over the period
    peak_occupancy: float | None
    peak_at: float | None
    worst_los: LevelOfService | None
    ts: F64 = field(default_factory=lambda: np.zeros(0))
    occupancy: F64 = field(default_factory=lambda: np.zeros(0))


def _increase(series: Series) -> F64:
    """Per-bucket increase of a cumulative counter (a counter reset counts from zero)."""
    if series.value.size == 0:
        return series.value
    d = np.diff(series.value, prepend=series.value[0])
    return np.where(d >= 0, d, series.value)


def zone_crowd(
    zone: Zone, ins: list[Series], outs: list[Series], people: list[Series]
) -> ZoneCrowdFigures:
    """Visitors (entries), peak occupancy and worst level of service of one zone.

    ``ins``/``outs``: cumulative gate counters counting into / out of the zone.
    Occupancy is taken from people-count sensors when the zone has them, else
    as entries minus exits since the period's start, shifted so it is never
    negative (the zone is assumed empty at its emptiest moment).
    """
    grid = np.unique(np.concatenate([s.ts for s in [*ins, *outs, *people]] or [np.zeros(0)]))
    visitors = round(sum(float(_increase(s).sum()) for s in ins))
    if grid.size == 0:
        return ZoneCrowdFigures(zone.id, visitors, None, None, None)
    if people:
        occ = np.zeros(grid.size)
        for s in people:
            occ += np.interp(grid, s.ts, s.value) if s.ts.size else 0.0
    else:
        net = np.zeros(grid.size)
        for sign, group in ((1.0, ins), (-1.0, outs)):
            for s in group:
                idx = np.searchsorted(grid, s.ts)
                np.add.at(net, idx, sign * _increase(s))
        occ = np.cumsum(net)
        occ -= min(0.0, float(occ.min()))
    peak_i = int(np.argmax(occ))
    peak = float(occ[peak_i])
    los = level_of_service(peak / zone.area_m2) if zone.area_m2 > 0 else None
    return ZoneCrowdFigures(zone.id, visitors, peak, float(grid[peak_i]), los, grid, occ)


@dataclass(frozen=True, slots=True)
class AlarmRow:
    alarm: Alarm
    to_acknowledge_s: float | None
    to_clear_s: float | None


def alarm_rows(alarms: list[Alarm], start: float, end: float) -> list[AlarmRow]:
    """Alarms raised in [start, end), oldest first, with their handling times."""
    rows = []
    for a in sorted(alarms, key=lambda a: a.raised_at):
        if not start <= a.raised_at < end:
            continue
        ack = a.acknowledged_at - a.raised_at if a.acknowledged_at is not None else None
        clear = a.cleared_at - a.raised_at if a.cleared_at is not None else None
        rows.append(AlarmRow(a, ack, clear))
    return rows
