"""bench/drift_oracle.py's statistic: a slope at a known onset, pinned by the level before."""

from __future__ import annotations

import math

import numpy as np

from bench.drift_oracle import MAX_N, PRE_H, null_slopes, pinned_slope, ramp_x, slopes

_H = 3600.0
RATE = 0.5 / 168.0  # 0.5 degC/week, per hour


def _series(onset_h: float, hours: int, noise: float, seed: int) -> np.ndarray:
    """A residual at level 0.3 with a ramp of RATE from ``onset_h`` (hour
    index), each hour the mean of its minutes, plus hourly noise."""
    minutes = (np.arange(hours * 60) + 0.5) / 60.0  # each minute at its midpoint
    y = 0.3 + RATE * np.clip(minutes - onset_h, 0.0, None)
    hourly: np.ndarray = y.reshape(hours, 60).mean(axis=1)
    return hourly + np.random.default_rng(seed).normal(0.0, noise, hours)


def test_a_ramp_after_a_known_onset_gives_its_slope_back() -> None:
    onset_h = 100.4  # inside an hour, as the plan's onsets are
    a = _series(onset_h, 200, 0.004, seed=3)
    oh = math.ceil(onset_h)
    level = float(np.mean(a[int(onset_h) - PRE_H : int(onset_h)]))
    b, se = pinned_slope(a[oh : oh + 24], ramp_x(oh, 24, onset_h * _H), level)
    assert se < 0.3 * RATE  # the test can tell the slope from 0
    assert abs(b - RATE) < 2.0 * se
    # Noise-free, the bench's own path gives the rate exactly at every n.
    exact = slopes(_series(onset_h, 200, 0.0, seed=0), 0, onset_h * _H, None)
    assert len(exact) == MAX_N
    assert all(abs(s - RATE) < 1e-9 for _n, _age, s in exact)
    # The onset's own hour is in neither part: 23 whole hours end 23.6 h after it.
    assert math.isclose(exact[22][1], 23.6) and math.isclose(exact[23][1], 24.6)


def test_level_noise_gives_a_slope_near_zero() -> None:
    a = _series(1e9, 300, 0.004, seed=5)  # no onset within the series
    got = null_slopes(a, 0, PRE_H, None)
    day = got[: 300 - PRE_H - 24, 23]  # 24 ramp hours, every onset that has them
    assert not np.isnan(day).any()
    # One 24 h slope's error is 0.004 / sqrt(sum x^2) (about 5.9e-5 per hour)
    # plus the pinned level's; every onset's stays well under the drift's rate.
    assert float(np.max(day)) < 0.1 * RATE
    assert float(np.median(day)) < 0.02 * RATE


def test_the_null_and_the_drift_path_agree_at_an_hour_boundary() -> None:
    a = _series(150.0, 220, 0.01, seed=7)
    grid = null_slopes(a, 0, 150, None)[0]
    one = slopes(a, 0, 150 * _H, None)
    assert np.allclose(grid[: len(one)], [s for _n, _age, s in one])
    # A window past the residual's end is not judged.
    assert np.isnan(null_slopes(a, 0, 200, None)[0, 25:]).all()


def test_the_trimmed_slope_drops_a_wild_afternoon_hour() -> None:
    onset_h = 120.0
    a = _series(onset_h, 200, 0.004, seed=11)
    a[140] += 0.8  # one busy hour, as the rooms' afternoons give
    sd = np.full(24, 0.004)
    got = {t: slopes(a, 0, onset_h * _H, sd, t)[23][2] for t in (None, 3.0)}
    assert abs(got[None] - RATE) > RATE  # the plain slope is the hour's
    assert abs(got[3.0] - RATE) < 0.1 * RATE
    # The null's vectorised path gives the same trimmed slopes.
    grid = null_slopes(a, 0, 120, sd, 3.0)[0]
    one = slopes(a, 0, onset_h * _H, sd, 3.0)
    assert np.allclose(grid[: len(one)], [s for _n, _age, s in one])


def test_the_null_and_the_drift_path_agree_on_the_t() -> None:
    a = _series(150.0, 220, 0.01, seed=9)
    a[160] += 0.5
    sd = np.full(24, 0.01)
    for trim, w in ((None, None), (3.0, sd)):
        grid = null_slopes(a, 0, 150, w, trim, as_t=True)[0]
        one = slopes(a, 0, 150 * _H, w, trim, as_t=True)
        assert len(one) > 40
        assert np.allclose(grid[[n - 1 for n, _a, _t in one]], [t for _n, _a, t in one])


def test_the_line_oracle_takes_the_slow_paths_own_t() -> None:
    from bench.drift_oracle_line import line_t
    from twin.analytics.anomaly.drift_trend import DriftTrendConfig, TrendEvidence

    a = _series(40.0, 72, 0.01, seed=13)
    ev = TrendEvidence(DriftTrendConfig(), slow_line="agreeing_kept")
    for y in a:
        ev.add(float(y))
    cfg = ev.config
    want = {}
    for trend in ev.fits(significant=False):
        passes = abs(trend.change) >= cfg.min_change * trend.scale
        passes &= abs(trend.slope) <= cfg.max_rate * trend.scale
        want[trend.window] = abs(trend.t) if passes else 0.0
    assert set(want) == {18, 24, 36, 48} and max(want.values()) > 0.0
    for w, t in want.items():
        assert math.isclose(line_t(a, 72 - w, 72, cfg), t, rel_tol=1e-9)
    assert math.isnan(line_t(a, -1, 20, cfg))  # before the residual begins
