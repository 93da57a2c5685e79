"""The onset hinge: a level residual turning into a ramp, its intercept pinned by the level."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.analytics.anomaly.drift_onset import fit_hinge
from twin.analytics.anomaly.drift_trend import ONSET_T_MIN, DriftTrendConfig, TrendEvidence

RATE = 0.5 / 168.0  # 0.5 degC a week, per hour
ONSET = DriftTrendConfig(onset=True)


def _wander(hours: int, seed: int) -> np.ndarray:
    """Hourly residual with the rooms' day-to-day wander (an offset a day, twice
    the hour-to-hour scatter) and, once a day, a burst of a few hours."""
    rng = np.random.default_rng(seed)
    out = rng.normal(0.0, 0.005, hours)
    for day in range(hours // 24):
        out[day * 24 : (day + 1) * 24] += rng.normal(0.0, 0.01)
        at = day * 24 + int(rng.integers(8, 16))
        out[at : at + 4] += rng.choice((-1.0, 1.0)) * rng.uniform(0.03, 0.1)
    return out


def _level_then_ramp(seed: int, age: int) -> list[float]:
    """Two days level, then ``age`` hours of a 0.5 degC/week ramp."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 0.005, 48 + age)
    values[48:] += RATE * np.arange(1, age + 1)
    return [float(v) for v in values]


@pytest.mark.parametrize("seed", range(4))
def test_the_level_hours_pin_the_intercept_and_the_hinge_is_surer_than_the_line(
    seed: int,
) -> None:
    # At the same ramp age the hinge's t is well above the best line's: the
    # level hours before the onset pin the intercept the line leaves free.
    ev = TrendEvidence(DriftTrendConfig(onset=True, t_min=math.inf), "agreeing_kept")
    for v in _level_then_ramp(seed, 20):
        ev.add(v)
    hinge = ev.onset_fit()
    line = max(abs(t.t) for t in ev.fits(significant=False))
    assert hinge is not None and hinge.onset
    assert abs(hinge.t) > 1.5 * line, (hinge.t, line)
    assert 15 <= hinge.window <= 30  # the ramp's hours, about its age


def test_the_onset_is_found_where_the_level_turns() -> None:
    ys = [0.0] * 40 + [0.01 * i for i in range(1, 25)]
    hinge = fit_hinge(ys, 18, 3.0)
    assert hinge is not None
    assert hinge.onset == 39 and hinge.ramp == 24
    assert hinge.slope == pytest.approx(0.01)


def test_the_hinge_reports_where_no_line_may_and_only_when_asked() -> None:
    values = _level_then_ramp(0, 30)
    no_line = DriftTrendConfig(t_min=math.inf)
    for config, expected in ((no_line, None), (DriftTrendConfig(t_min=math.inf, onset=True), 1)):
        ev = TrendEvidence(config, "agreeing_kept")
        found = [h for h, v in enumerate(values) if (tr := ev.add(v)) is not None and tr.onset]
        if expected is None:
            assert found == []
        else:
            assert found and 48 < found[0] <= 48 + 30, found


@pytest.mark.parametrize("seed", range(4))
def test_a_day_to_day_wander_alone_stays_under_the_hinges_bar(seed: int) -> None:
    ev = TrendEvidence(ONSET, "agreeing_kept")
    top = 0.0
    for v in _wander(24 * 7, seed):
        assert ev.add(float(v)) is None
        hinge = ev.onset_fit()
        top = max(top, abs(hinge.t) if hinge is not None else 0.0)
    assert 0.0 < top < ONSET_T_MIN


def test_too_few_hours_or_a_gap_everywhere_is_no_hinge() -> None:
    assert fit_hinge([0.0] * 35, 18, 3.0) is None
    assert fit_hinge([math.nan] * 72, 18, 3.0) is None
    # A gap is left out, not bridged: the hours either side still fit.
    ys = [0.0] * 40 + [0.01 * i for i in range(1, 25)]
    ys[10] = math.nan
    hinge = fit_hinge(ys, 18, 3.0)
    assert hinge is not None and hinge.slope == pytest.approx(0.01)


def test_a_report_clears_the_hinges_history_too() -> None:
    ev = TrendEvidence(DriftTrendConfig(onset=True, t_min=math.inf), "agreeing_kept")
    for v in _level_then_ramp(1, 30):
        ev.add(v)
    assert ev.onset_fit() is not None
    ev.clear()
    ev.add(0.0)
    assert ev.onset_fit() is None
