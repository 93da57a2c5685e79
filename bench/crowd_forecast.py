"""Occupancy forecast error on synthetic venue days: MAE and MAPE at 15, 30 and 60 minutes.

Run: ``python bench/crowd_forecast.py [--days 42] [--train-days 14] [--seed 1]``

Synthetic days (this script's own, independent of ``simulators/``): 5-minute
intervals, open 09:00-17:00, a two-peak day profile (late morning and mid
afternoon), a day-level scale (weekends 1.4x busier, plus +-15 % random),
and AR(1) noise (phi 0.9) with standard deviation ``--noise`` x sqrt(level)
(Poisson-like; default 1.0, i.e. about 13 people at a level of 180).
Closed hours are exact zeros.

Methods compared, all streaming: persistence (the last value), seasonal naive
(same time yesterday), Holt-Winters with default parameters and Holt-Winters
with parameters fitted on the training days (``fit_holt_winters``, scipy).
Errors are measured on forecasts made during opening hours for targets
inside opening hours; MAPE only over targets with at least 10 people (it is
undefined at 0) and reported with the WAPE (sum |e| / sum y) beside it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd import HoltWinters, HoltWintersParams, SeasonalNaive, fit_holt_winters

STEP_MIN = 5
PERIOD = 24 * 60 // STEP_MIN
OPEN, CLOSE = 9 * 60 // STEP_MIN, 17 * 60 // STEP_MIN
HORIZONS = {15: 3, 30: 6, 60: 12}


def day_profile() -> npt.NDArray[np.float64]:
    k = np.arange(PERIOD, dtype=np.float64)
    hours = k * STEP_MIN / 60.0
    shape = 180.0 * np.exp(-(((hours - 11.5) / 1.3) ** 2)) + 140.0 * np.exp(
        -(((hours - 14.8) / 1.5) ** 2)
    )
    shape[(k < OPEN) | (k >= CLOSE)] = 0.0
    return shape


def synthetic_days(days: int, seed: int, noise: float) -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    base = day_profile()
    # AR(1) with phi 0.9 has stationary sd 1/sqrt(1 - 0.81) = 2.29 innovations.
    noise_scale = noise / 2.29
    out = np.empty(days * PERIOD)
    for d in range(days):
        scale = (1.4 if d % 7 in (5, 6) else 1.0) * rng.uniform(0.85, 1.15)
        level = base * scale
        ar = np.zeros(PERIOD)
        e = 0.0
        for k in range(PERIOD):
            e = 0.9 * e + rng.normal(0.0, 1.0)
            ar[k] = e
        noisy = np.clip(level + noise_scale * np.sqrt(level) * ar, 0, None)
        day = np.where(level > 0, noisy, 0.0)
        out[d * PERIOD : (d + 1) * PERIOD] = np.round(day)
    return out


@dataclass
class Errors:
    abs_err: list[float]
    pct_err: list[float]
    actual: list[float]

    def add(self, forecast: float, actual: float) -> None:
        self.abs_err.append(abs(forecast - actual))
        self.actual.append(actual)
        if actual >= 10.0:
            self.pct_err.append(abs(forecast - actual) / actual)

    def summary(self) -> tuple[float, float, float]:
        mae = float(np.mean(self.abs_err))
        mape = 100.0 * float(np.mean(self.pct_err))
        wape = 100.0 * float(np.sum(self.abs_err) / np.sum(self.actual))
        return mae, mape, wape


Forecaster = Callable[[int], float]


def evaluate(
    series: npt.NDArray[np.float64],
    train_days: int,
    params: HoltWintersParams,
    fitted: HoltWintersParams,
) -> dict[str, dict[int, Errors]]:
    hw_default = HoltWinters(PERIOD, params)
    hw_fitted = HoltWinters(PERIOD, fitted)
    naive = SeasonalNaive(PERIOD)
    methods = ("persistence", "seasonal naive", "Holt-Winters default", "Holt-Winters fitted")
    errs = {m: {h: Errors([], [], []) for h in HORIZONS} for m in methods}
    start = train_days * PERIOD
    for t, y in enumerate(series):
        hw_default.update(float(y))
        hw_fitted.update(float(y))
        naive.update(float(y))
        if t < start:
            continue
        k = t % PERIOD
        if not OPEN <= k < CLOSE:
            continue
        f_def = hw_default.forecast(12)
        f_fit = hw_fitted.forecast(12)
        f_naive = naive.forecast(12)
        for minutes, h in HORIZONS.items():
            target = t + h
            if target >= len(series) or not OPEN <= target % PERIOD < CLOSE:
                continue
            actual = float(series[target])
            errs["persistence"][minutes].add(float(y), actual)
            errs["seasonal naive"][minutes].add(float(f_naive[h - 1]), actual)
            errs["Holt-Winters default"][minutes].add(float(f_def[h - 1]), actual)
            errs["Holt-Winters fitted"][minutes].add(float(f_fit[h - 1]), actual)
    return errs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=42)
    ap.add_argument("--train-days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--noise", type=float, default=1.0, help="noise sd in units of sqrt(expected occupancy)"
    )
    args = ap.parse_args()
    series = synthetic_days(args.days, args.seed, args.noise)
    t0 = time.perf_counter()
    fitted = fit_holt_winters(series[: args.train_days * PERIOD], PERIOD)
    fit_s = time.perf_counter() - t0
    default = HoltWintersParams()
    errs = evaluate(series, args.train_days, default, fitted)

    hw = HoltWinters(PERIOD, fitted)
    t0 = time.perf_counter()
    for y in series:
        hw.update(float(y))
    update_us = (time.perf_counter() - t0) / len(series) * 1e6
    t0 = time.perf_counter()
    for _ in range(1000):
        hw.forecast(12)
    forecast_us = (time.perf_counter() - t0) / 1000 * 1e6

    peak = float(series.max())
    print(
        f"synthetic days: {args.days} ({args.train_days} for fitting, "
        f"{args.days - args.train_days} scored), 5-min steps, peak occupancy {peak:.0f}"
    )
    print(
        f"fitted: alpha={fitted.alpha:.3f} beta={fitted.beta:.4f} gamma={fitted.gamma:.3f} "
        f"phi={fitted.phi:.3f} in {fit_s:.1f} s"
    )
    print(f"{'method':<22}" + "".join(f"{f'{m} min MAE / MAPE / WAPE':>30}" for m in HORIZONS))
    for method, by_h in errs.items():
        cells = []
        for minutes in HORIZONS:
            mae, mape, wape = by_h[minutes].summary()
            cells.append(f"{mae:9.1f} / {mape:5.1f}% / {wape:5.1f}%")
        print(f"{method:<22}" + "".join(f"{c:>30}" for c in cells))
    print(
        f"Holt-Winters update {update_us:.1f} us/step, 12-step forecast {forecast_us:.1f} us "
        f"(state: {PERIOD} seasonal values + 2 floats per zone)"
    )


if __name__ == "__main__":
    main()
