"""Conservation figures over archives joined out of order, logged irregularly, with blanks."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from twin.analytics.conservation import (
    ClimateClass,
    ClimateClassifier,
    TwpiAccumulator,
    climate_history,
    light_dose_history,
    twpi,
    twpi_history,
)

H = 3600.0
T0 = datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC")).timestamp()


def _year_of_irregular_logging(seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One year at 2.5-5 h intervals, seasonal T (14-24 degC) and RH (40-60 %)."""
    rng = np.random.default_rng(seed)
    steps = rng.uniform(2.5 * H, 5.0 * H, size=2300)
    ts = T0 + np.cumsum(steps)
    ts = ts[ts < T0 + 365 * 86400]
    phase = 2 * np.pi * (ts - T0) / (365 * 86400)
    t = 19.0 - 5.0 * np.cos(phase) + rng.normal(0, 0.3, ts.size)
    rh = 50.0 + 10.0 * np.sin(phase) + rng.normal(0, 1.0, ts.size)
    return ts, t, rh


def _three_exports_shuffled(ts, t, rh):  # type: ignore[no-untyped-def]
    """Three exports joined as 3, 1, 2, overlapping by 20 readings, with two blank rows."""
    n = ts.size
    cuts = [(0, n // 3 + 20), (n // 3, 2 * n // 3 + 20), (2 * n // 3, n)]
    order = [2, 0, 1]
    idx = np.concatenate([np.arange(*cuts[i]) for i in order])
    ts2, t2, rh2 = ts[idx].copy(), t[idx].copy(), rh[idx].copy()
    t2[30] = np.nan
    rh2[700] = np.nan
    return ts2, t2, rh2


def test_climate_history_in_any_order_matches_the_sorted_series() -> None:
    ts, t, rh = _year_of_irregular_logging()
    ts2, t2, rh2 = _three_exports_shuffled(ts, t, rh)
    mixed = climate_history(ts2, t2, rh2, target=ClimateClass.B)
    clean_mask = np.isfinite(t2) & np.isfinite(rh2)
    removed = set(ts2[~clean_mask].tolist()) - set(ts2[clean_mask].tolist())
    keep = ~np.isin(ts, list(removed))
    sorted_ = climate_history(ts[keep], t[keep], rh[keep], target=ClimateClass.B)
    assert mixed.percent_by_class == sorted_.percent_by_class
    assert mixed.hours_evaluated == sorted_.hours_evaluated > 1500
    assert mixed.mean is not None
    assert mixed.mean.t_c == pytest.approx(19.0, abs=0.3)  # not the last export's mean
    c = mixed.completeness
    assert (c.nan_skipped, c.duplicates) == (2, 40)
    assert c.out_of_order > 0
    assert c.covered_percent == pytest.approx(100.0)
    # The streaming classifier fed the same rows in file order drops the late
    # ones, and now says so instead of hiding it.
    clf = ClimateClassifier(ClimateClass.B, window_days=400)
    for a, b, r in zip(ts2, t2, rh2, strict=True):
        clf.update(float(a), float(b), float(r))
    status = clf.status()
    assert status.late_readings > 1000 and status.nan_skipped == 2


def test_twpi_history_in_any_order_with_irregular_intervals() -> None:
    ts, t, rh = _year_of_irregular_logging()
    ts2, t2, rh2 = _three_exports_shuffled(ts, t, rh)
    truth = twpi(ts, t, rh)
    got = twpi_history(ts2, t2, rh2)
    assert got.years == pytest.approx(truth, rel=2e-3)  # two blank rows removed
    assert got.completeness.gaps == 0
    # 2.5-5 h logging: the accumulator's default gap limit follows the interval.
    acc = TwpiAccumulator()
    for a, b, r in zip(ts, t, rh, strict=True):
        acc.update(float(a), float(b), float(r))
    assert acc.value == pytest.approx(truth, rel=1e-9)
    assert acc.completeness == pytest.approx(1.0)
    # Out of order and NaN are counted, never an exception or a silent None.
    acc2 = TwpiAccumulator()
    for a, b, r in zip(ts2, t2, rh2, strict=True):
        acc2.update(float(a), float(b), float(r))
    assert acc2.late_readings > 0 and acc2.nan_skipped == 2


def test_twpi_reports_a_real_gap_as_completeness() -> None:
    ts = np.arange(0.0, 200 * H, H)
    ts = np.concatenate([ts, ts[-1] + 30 * 86400 + np.arange(0.0, 200 * H, H)])
    t = np.full(ts.size, 20.0)
    rh = np.full(ts.size, 50.0)
    got = twpi_history(ts, t, rh)
    assert got.completeness.gaps == 1
    assert got.completeness.covered_percent is not None
    assert got.completeness.covered_percent < 50.0
    assert got.years is not None and math.isfinite(got.years)


def test_light_dose_per_calendar_year_in_the_venue_zone() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    start = datetime(2023, 7, 1, tzinfo=zone).timestamp()
    end = datetime(2025, 7, 1, tzinfo=zone).timestamp()
    ts = np.arange(start, end + 1, H)
    lux = np.full(ts.size, 50.0)
    rng = np.random.default_rng(1)
    perm = rng.permutation(ts.size)
    got = light_dose_history(ts[perm], lux[perm], tz="Asia/Shanghai")
    assert got.by_year_lxh[2024] == pytest.approx(366 * 24 * 50.0)
    assert got.by_year_lxh[2023] == pytest.approx(184 * 24 * 50.0)
    assert got.total_lxh == pytest.approx((end - start) / H * 50.0)
