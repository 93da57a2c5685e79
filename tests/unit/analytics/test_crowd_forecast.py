"""Holt-Winters and seasonal-naive occupancy forecasts."""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.crowd import (
    HoltWinters,
    HoltWintersParams,
    InvalidInput,
    SeasonalNaive,
    fit_holt_winters,
)

M = 48  # half-hour intervals in a day


def profile() -> np.ndarray:
    k = np.arange(M)
    return np.where((k >= 18) & (k < 36), 100.0 * np.sin(np.pi * (k - 18) / 18) ** 2, 0.0)


def test_periodic_series_is_forecast_exactly() -> None:
    # With y exactly periodic, the initial level is its mean, trend 0, and every one-step
    # error is 0, so the state never moves and forecasts repeat the day.
    hw = HoltWinters(M)
    day = profile()
    for y in np.tile(day, 3):
        hw.update(float(y))
    assert hw.ready
    np.testing.assert_allclose(hw.forecast(M), day, atol=1e-9)


def test_forecast_starts_at_the_right_phase() -> None:
    hw = HoltWinters(M)
    day = profile()
    series = np.concatenate([np.tile(day, 2), day[:20]])
    for y in series:
        hw.update(float(y))
    np.testing.assert_allclose(hw.forecast(4), day[20:24], atol=1e-9)


def test_level_shift_is_tracked_better_than_seasonal_naive() -> None:
    day = profile()
    busy = day + 30.0 * (day > 0)  # a busy day: 30 more people whenever open
    hw = HoltWinters(M, HoltWintersParams(alpha=0.5, beta=0.0, gamma=0.1, phi=0.9))
    naive = SeasonalNaive(M)
    for y in np.concatenate([np.tile(day, 3), busy[:24]]):
        hw.update(float(y))
        naive.update(float(y))
    truth = busy[24:28]
    hw_err = np.abs(hw.forecast(4) - truth).mean()
    naive_err = np.abs(naive.forecast(4) - truth).mean()
    assert hw_err < 0.5 * naive_err


def test_forecast_is_never_negative() -> None:
    hw = HoltWinters(M, HoltWintersParams(alpha=0.9, beta=0.0, gamma=0.0, phi=0.9))
    day = profile()
    for y in np.concatenate([np.tile(day, 2), np.zeros(30)]):
        hw.update(float(y))
    assert (hw.forecast(M) >= 0.0).all()


def test_seasonal_naive_repeats_yesterday() -> None:
    sn = SeasonalNaive(4)
    for y in (1.0, 2.0, 3.0, 4.0, 5.0):
        sn.update(y)
    np.testing.assert_array_equal(sn.forecast(3), [2.0, 3.0, 4.0])


def test_not_ready_before_two_seasons() -> None:
    hw = HoltWinters(M)
    for y in profile():
        hw.update(float(y))
    with pytest.raises(InvalidInput):
        hw.forecast(1)


def test_fitted_parameters_do_not_do_worse_than_the_defaults() -> None:
    rng = np.random.default_rng(3)
    days = [profile() * rng.uniform(0.7, 1.3) + rng.normal(0, 3, M) for _ in range(6)]
    y = np.clip(np.concatenate(days), 0, None)

    def sse(p: HoltWintersParams) -> float:
        hw = HoltWinters(M, p)
        errs = [hw.update(float(v)) for v in y]
        return float(sum(e * e for e in errs if e is not None))

    fitted = fit_holt_winters(y, M)
    assert sse(fitted) <= sse(HoltWintersParams()) + 1e-6
