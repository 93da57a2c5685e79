"""The slow drift path's line as a bisquare M-estimate: busy afternoons do not hide a drift."""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.anomaly.drift_robust import robust_t
from twin.analytics.anomaly.drift_trend import DriftTrendConfig, TrendEvidence

RATE = 0.5 / 168.0  # 0.5 degC a week, per hour
# hold_h 1: the lines compared at their own bars, before drift63's run rule.
ROBUST = DriftTrendConfig(robust=True, t_min=10.0, hold_h=1)  # t_min: 1.1 x its noise maximum
PLAIN = DriftTrendConfig(robust=False, t_min=12.0, hold_h=1)  # the least-squares line before


def _afternoons(hours: int, seed: int) -> np.ndarray:
    """Hourly residual as the simulator's galleries give it: quiet hours scatter
    0.003 degC, the visiting hours (10-16 h) 0.15, differently every day."""
    rng = np.random.default_rng(seed)
    out = rng.normal(0.0, 0.003, hours)
    busy = np.array([10 <= h % 24 <= 16 for h in range(hours)])
    out[busy] += rng.normal(0.0, 0.15, int(busy.sum()))
    return out


def _first(values: np.ndarray, config: DriftTrendConfig) -> int | None:
    ev = TrendEvidence(config)
    for h, v in enumerate(values):
        if ev.add(float(v)) is not None:
            return h
    return None


def test_a_drift_behind_busy_afternoons_is_found_within_a_day() -> None:
    # Onset at 1 am: the first afternoon falls in every window of the first day.
    onset = 49
    within = {"robust": 0, "plain": 0}
    for seed in range(8):
        values = _afternoons(120, seed)
        values[onset:] += RATE * np.arange(1, 120 - onset + 1)
        for name, config in (("robust", ROBUST), ("plain", PLAIN)):
            found = _first(values, config)
            assert found is None or found > onset, (name, seed, found)
            within[name] += found is not None and found <= onset + 24
    # The least-squares line lets the afternoons swing it: 6 of 8 in a day.
    assert within["robust"] >= 7, within
    assert within["robust"] > within["plain"], within


@pytest.mark.parametrize("seed", range(6))
def test_busy_afternoons_alone_are_no_line(seed: int) -> None:
    assert _first(_afternoons(24 * 7, 100 + seed), ROBUST) is None


def test_a_busy_day_between_two_quiet_nights_is_no_line() -> None:
    # A sound gallery's last 18 hours (museum wing, seed 1, zone-event run, 61 h):
    # a quiet night, a visiting day leaning below the line, a quiet evening.
    # The bisquare line through it slopes (t -12.6); its halves slope opposite ways.
    ys = [
        0.0007, 0.0004, -0.001, -0.0027, -0.0011, -0.0094, -0.0159, -0.0926, -0.2164,
        -0.0823, -0.0013, -0.0266, -0.0358, -0.0048, -0.0008, 0.0014, -0.0006, 0.0032,
    ]  # fmt: skip
    t_whole, _ = robust_t(ys, halves=False)
    assert abs(t_whole) >= ROBUST.t_min
    assert robust_t(ys)[0] == 0.0


def test_a_line_is_a_line() -> None:
    ys = [0.003 * h + 0.001 * (-1) ** h for h in range(24)]
    t, slope = robust_t(ys)
    assert t > 10.0
    assert slope == pytest.approx(0.003, rel=0.05)
